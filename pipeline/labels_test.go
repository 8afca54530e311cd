package pipeline

import (
	"testing"
	"time"

	"github.com/hoist-build/hoist/build"
)

func TestLabels(t *testing.T) {
	const sha = "0123456789012345678901234567890123456789"
	cases := []struct {
		name              string
		git               build.Git
		revision, version string
	}{
		{"outside git", build.Git{}, "", ""},
		{"at the tag", build.Git{FullCommit: sha, Tag: "v1.2.0", AtTag: true, IsClean: true}, sha, "v1.2.0"},
		{"past the tag", build.Git{FullCommit: sha, Tag: "v1.2.0", IsClean: true}, sha, ""},
		{"dirty at the tag", build.Git{FullCommit: sha, Tag: "v1.2.0", AtTag: true, IsDirty: true}, sha + "-dirty", "v1.2.0-dirty"},
		{"dirty past the tag", build.Git{FullCommit: sha, Tag: "v1.2.0", IsDirty: true}, sha + "-dirty", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := &target{name: "app", data: &build.Data{Git: tc.git}}
			got := labels(Options{Created: time.Unix(0, 0)}, tg)
			if got["org.opencontainers.image.revision"] != tc.revision || got["org.opencontainers.image.version"] != tc.version {
				t.Errorf("revision %q, version %q; want %q, %q", got["org.opencontainers.image.revision"], got["org.opencontainers.image.version"], tc.revision, tc.version)
			}
			_, hasVersion := got["org.opencontainers.image.version"]
			if hasVersion != (tc.version != "") {
				t.Errorf("version label present = %v, want %v", hasVersion, tc.version != "")
			}
		})
	}
}
