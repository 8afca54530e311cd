package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribeVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	cases := []struct {
		name   string
		linked string
		bi     *debug.BuildInfo
		want   string
	}{
		{"linked", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"}}, "v1.2.3"},
		{"go install @version", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v0.4.0"}}, "v0.4.0"},
		{"pseudo-version", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261129000000-abcdef123456"}}, "v0.0.0-20261129000000-abcdef123456"},
		{"checkout", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123", "false")}, "dev-0123456789ab"},
		{"dirty checkout", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123", "true")}, "dev-0123456789ab-dirty"},
		{"nothing known", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		{"no build info", "dev", nil, "dev"},
	}
	for _, tc := range cases {
		if got := describeVersion(tc.linked, tc.bi); got != tc.want {
			t.Errorf("%s: describeVersion = %q, want %q", tc.name, got, tc.want)
		}
	}
	line := versionLine("v0.4.0", &debug.BuildInfo{Settings: vcs("0123abc", "true")})
	if !strings.HasPrefix(line, "hoist v0.4.0 revision 0123abc (modified) go1.") {
		t.Errorf("versionLine = %q", line)
	}
}
