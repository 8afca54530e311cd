package resolve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Scheme marks a YAML string as a Go import path to build rather than an
// image to pull, as in ko's strict mode: without it, any string that happens
// to look like a package path would be rebuilt.
const Scheme = "ko://"

// site is one ko:// scalar and the import path it names.
type site struct {
	node *yaml.Node
	path string
}

// Refs returns the distinct import paths that docs reference as
// ko://IMPORTPATH, sorted, so a caller can build each once however often it
// is referenced. A string that starts with ko:// but is not followed by a
// full import path is an error, not silently left in place for a cluster to
// fail to pull.
func Refs(docs []byte) ([]string, error) {
	_, sites, err := find(docs)
	if err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(sites))
	for _, s := range sites {
		paths = append(paths, s.path)
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}

// Replace returns docs with every ko://IMPORTPATH scalar replaced by
// refs[IMPORTPATH], keeping the scalar's quoting where the reference allows
// it. Everything else is kept byte for byte, so docs without a reference are
// returned as they are. An import path missing from refs is an error.
func Replace(docs []byte, refs map[string]string) ([]byte, error) {
	nodes, sites, err := find(docs)
	if err != nil {
		return nil, err
	}
	if len(sites) == 0 {
		return docs, nil
	}
	src := newSource(docs)
	edits := make([]edit, 0, len(sites))
	for _, s := range sites {
		ref, ok := refs[s.path]
		if !ok {
			return nil, fmt.Errorf("replacing %s%s (line %d): no image reference was given for it", Scheme, s.path, s.node.Line)
		}
		e, err := src.edit(s.node, ref)
		if err != nil {
			return nil, fmt.Errorf("replacing %s%s (line %d): %w", Scheme, s.path, s.node.Line, err)
		}
		edits = append(edits, e)
	}
	out, err := apply(docs, edits)
	if err != nil {
		return nil, err
	}
	if err := verify(nodes, out, refs); err != nil {
		return nil, fmt.Errorf("checking the replaced YAML: %w", err)
	}
	return out, nil
}

// parse decodes every document of the stream, keeping positions.
func parse(docs []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(docs))
	var out []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parsing YAML: %w", err)
		}
		out = append(out, &n)
	}
}

// find parses docs and lists its references in document order.
func find(docs []byte) ([]*yaml.Node, []site, error) {
	nodes, err := parse(docs)
	if err != nil {
		return nil, nil, err
	}
	var sites []site
	for _, n := range nodes {
		if err := collect(n, &sites); err != nil {
			return nil, nil, err
		}
	}
	return nodes, sites, nil
}

func collect(n *yaml.Node, sites *[]site) error {
	switch {
	case n.Kind == yaml.AliasNode:
		// The anchored node is visited where it is defined; following the
		// alias would splice the same bytes twice.
		return nil
	case isReference(n):
		path := strings.TrimPrefix(n.Value, Scheme)
		if err := checkImportPath(path); err != nil {
			return fmt.Errorf("reading %q (line %d column %d): %w", n.Value, n.Line, n.Column, err)
		}
		*sites = append(*sites, site{node: n, path: path})
	}
	for _, c := range n.Content {
		if err := collect(c, sites); err != nil {
			return err
		}
	}
	return nil
}

// isReference matches string scalars only, as ko does: a tagged !!binary or
// custom-tagged scalar is data, whatever its text.
func isReference(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && strings.HasPrefix(n.Value, Scheme)
}

// checkImportPath applies the go command's import path rules that matter
// here. Relative paths are refused because the build reports full import
// paths and a relative one could not be matched back to its image.
func checkImportPath(p string) error {
	switch {
	case p == "":
		return errors.New("want " + Scheme + " followed by a Go import path, e.g. " + Scheme + "example.com/app/cmd/server")
	case strings.HasPrefix(p, ".") || strings.HasPrefix(p, "/"):
		return errors.New("want a full Go import path, e.g. " + Scheme + "example.com/app/cmd/server, not a file path")
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == "" || elem[0] == '.' || elem[len(elem)-1] == '.' {
			return fmt.Errorf("%q is not a valid Go import path: empty element or element starting or ending with a dot", p)
		}
		for _, r := range elem {
			if !importPathRune(r) {
				return fmt.Errorf("%q is not a valid Go import path: character %q is not allowed", p, r)
			}
		}
	}
	return nil
}

func importPathRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~+", r)
}

// verify parses the output and compares it with the input node by node:
// only the referenced scalars may differ, and only to their new values.
func verify(in []*yaml.Node, out []byte, refs map[string]string) error {
	got, err := parse(out)
	if err != nil {
		return err
	}
	if len(got) != len(in) {
		return fmt.Errorf("the output has %d documents, the input %d", len(got), len(in))
	}
	for i := range in {
		if err := same(in[i], got[i], refs); err != nil {
			return err
		}
	}
	return nil
}

func same(a, b *yaml.Node, refs map[string]string) error {
	want := a.Value
	if isReference(a) {
		want = refs[strings.TrimPrefix(a.Value, Scheme)]
	}
	if a.Kind != b.Kind || a.ShortTag() != b.ShortTag() || a.Anchor != b.Anchor || b.Value != want ||
		a.HeadComment != b.HeadComment || a.LineComment != b.LineComment || a.FootComment != b.FootComment ||
		len(a.Content) != len(b.Content) {
		return fmt.Errorf("the node at line %d column %d changed beyond its reference", a.Line, a.Column)
	}
	for i := range a.Content {
		if err := same(a.Content[i], b.Content[i], refs); err != nil {
			return err
		}
	}
	return nil
}
