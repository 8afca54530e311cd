package build

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestMainPackages(t *testing.T) {
	dir := mainModule(t, []string{".", "cmd/a", "cmd/b"}, map[string]string{"cmd/lib/lib.go": "package lib\n", "internal/x/x.go": "package x\n"})
	environ := testEnviron(dir)
	cases := []struct {
		pattern string
		want    []string
		err     string
	}{
		{"./...", []string{"example.com/x", "example.com/x/cmd/a", "example.com/x/cmd/b"}, ""},
		{"./cmd/...", []string{"example.com/x/cmd/a", "example.com/x/cmd/b"}, ""},
		{"./internal/...", nil, "./internal/... matches no main package"},
		{"./nope/...", nil, "./nope/..."},
	}
	for _, tc := range cases {
		got, err := MainPackages(context.Background(), dir, tc.pattern, environ)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.pattern, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s = %q, %v; want %q", tc.pattern, got, err, tc.want)
		}
	}
	if !IsPattern("./cmd/...") || IsPattern("./cmd/a") {
		t.Error("IsPattern")
	}
}
