package provenance

import (
	"sort"

	"github.com/hoist-build/hoist/internal/gomod"
)

// dependencies lists the source commit, the caller's materials and every
// Go module linked into any of the binaries, each once.
func dependencies(in Input) []resource {
	var out []resource
	if in.Source != "" || in.Commit != "" {
		src := resource{Name: "source"}
		if in.Source != "" {
			src.URI = "git+" + in.Source
		}
		if in.Commit != "" {
			src.Digest = map[string]string{"gitCommit": in.Commit}
		}
		out = append(out, src)
	}
	for _, m := range in.Materials {
		out = append(out, resource{URI: m.URI, Digest: m.Digest})
	}
	return append(out, modules(in)...)
}

// modules are the linked modules, replacements applied, by package URL.
// The go.sum hash becomes a dirHash digest: in-toto defines dirHash as
// exactly Go's h1 directory hash, in hex.
func modules(in Input) []resource {
	seen := map[string]resource{}
	for _, bi := range in.BuildInfo {
		for _, mod := range gomod.Modules(bi) {
			r := resource{URI: gomod.PURL(mod.Path, mod.Version)}
			if h := gomod.H1Hex(mod.Sum); h != "" {
				r.Digest = map[string]string{"dirHash": h}
			}
			seen[r.URI] = r
		}
	}
	out := make([]resource, 0, len(seen))
	for _, r := range seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URI < out[j].URI })
	return out
}
