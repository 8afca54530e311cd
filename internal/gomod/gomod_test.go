package gomod_test

import (
	"runtime/debug"
	"testing"

	"github.com/hoist-build/hoist/internal/gomod"
)

func TestPURL(t *testing.T) {
	cases := []struct{ module, version, want string }{
		{"github.com/google/go-containerregistry", "v0.22.1", "pkg:golang/github.com/google/go-containerregistry@v0.22.1"},
		{"github.com/docker/cli", "v29.7.2+incompatible", "pkg:golang/github.com/docker/cli@v29.7.2%2Bincompatible"},
		{"github.com/BurntSushi/toml", "v1.4.0", "pkg:golang/github.com/BurntSushi/toml@v1.4.0"},
		{"example.com/main", "", "pkg:golang/example.com/main"},
		{"stdlib", "1.26.8", "pkg:golang/stdlib@1.26.8"},
		{"", "v1", ""},
	}
	for _, tc := range cases {
		if got := gomod.PURL(tc.module, tc.version); got != tc.want {
			t.Errorf("PURL(%q, %q) = %q, want %q", tc.module, tc.version, got, tc.want)
		}
	}
}

func TestH1Hex(t *testing.T) {
	cases := []struct{ sum, want string }{
		// The example from the in-toto DigestSet spec's dirHash section.
		{"h1:Khu2En+0gcYPZ2kuIihfswbzxv/mIHXgzPZ018Oty48=", "2a1bb6127fb481c60f67692e22285fb306f3c6ffe62075e0ccf674d7c3adcb8f"},
		{"h2:Khu2En+0gcYPZ2kuIihfswbzxv/mIHXgzPZ018Oty48=", ""},
		{"h1:c2hvcnQ=", ""},
		{"", ""},
	}
	for _, tc := range cases {
		if got := gomod.H1Hex(tc.sum); got != tc.want {
			t.Errorf("H1Hex(%q) = %q, want %q", tc.sum, got, tc.want)
		}
	}
}

func TestModules(t *testing.T) {
	bi := &debug.BuildInfo{Deps: []*debug.Module{
		{Path: "z.example/b", Version: "v1.0.0"},
		{Path: "a.example/old", Version: "v1.0.0", Replace: &debug.Module{Path: "m.example/fork", Version: "v1.0.1", Sum: "h1:x"}},
		nil,
	}}
	got := gomod.Modules(bi)
	if len(got) != 2 || got[0].Path != "m.example/fork" || got[0].Sum != "h1:x" || got[1].Path != "z.example/b" {
		t.Errorf("Modules = %+v, want the fork then z.example/b", got)
	}
}
