package gomod_test

import (
	"runtime/debug"
	"testing"

	"github.com/hoist-build/hoist/internal/gomod"
)

// TestIdentifiers checks the strings SBOMs and provenance carry for a
// module: its package URL (PURL) and its go.sum hash in hex (H1Hex).
func TestIdentifiers(t *testing.T) {
	h1 := "Khu2En+0gcYPZ2kuIihfswbzxv/mIHXgzPZ018Oty48="
	cases := []struct{ name, got, want string }{
		{"PURL", gomod.PURL("github.com/google/go-containerregistry", "v0.22.1"), "pkg:golang/github.com/google/go-containerregistry@v0.22.1"},
		{"PURL escapes +", gomod.PURL("github.com/docker/cli", "v29.7.2+incompatible"), "pkg:golang/github.com/docker/cli@v29.7.2%2Bincompatible"},
		{"PURL keeps case", gomod.PURL("github.com/BurntSushi/toml", "v1.4.0"), "pkg:golang/github.com/BurntSushi/toml@v1.4.0"},
		{"PURL without version", gomod.PURL("example.com/main", ""), "pkg:golang/example.com/main"},
		{"PURL of the standard library", gomod.PURL("stdlib", "1.26.8"), "pkg:golang/stdlib@1.26.8"},
		{"PURL without module", gomod.PURL("", "v1"), ""},
		// The example from the in-toto DigestSet spec's dirHash section.
		{"H1Hex", gomod.H1Hex("h1:" + h1), "2a1bb6127fb481c60f67692e22285fb306f3c6ffe62075e0ccf674d7c3adcb8f"},
		{"H1Hex of another hash", gomod.H1Hex("h2:" + h1), ""},
		{"H1Hex of a short hash", gomod.H1Hex("h1:c2hvcnQ="), ""},
		{"H1Hex of nothing", gomod.H1Hex(""), ""},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
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
