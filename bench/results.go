package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

type row struct {
	scenario, pkg, tool string
	samples             []sample
}

type results struct {
	rows     []*row
	baseSize int64 // compressed bytes of the synthesized base layers
	// noopWrites is the most changing registry requests one hoist no-op
	// made: uploads, manifest puts, attachments.
	noopWrites int
	// The app's binary layer as hoist and ko pushed it, compressed.
	hoistBinary, koBinary int64
}

func (r *results) add(scenario, pkg, tool string, s sample) {
	for _, x := range r.rows {
		if x.scenario == scenario && x.pkg == pkg && x.tool == tool {
			x.samples = append(x.samples, s)
			return
		}
	}
	r.rows = append(r.rows, &row{scenario, pkg, tool, []sample{s}})
}

func (r *results) find(scenario, pkg, tool string) *row {
	for _, x := range r.rows {
		if x.scenario == scenario && x.pkg == pkg && x.tool == tool {
			return x
		}
	}
	return nil
}

func (x *row) median() time.Duration {
	if x == nil || len(x.samples) == 0 {
		return 0
	}
	ds := make([]time.Duration, len(x.samples))
	for i, s := range x.samples {
		ds[i] = s.wall
	}
	slices.Sort(ds)
	if len(ds)%2 == 1 {
		return ds[len(ds)/2]
	}
	return (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
}

func (x *row) maxRSS() int {
	m := 0
	for _, s := range x.samples {
		m = max(m, s.rssKiB)
	}
	return m
}

func ratio(a, b time.Duration) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a.Seconds()/b.Seconds())
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// baseSize reads the pushed app image back and sums its three base layers.
func (e *env) baseSize(ctx context.Context, res *results) error {
	ref, err := name.ParseReference(e.registry + "/hoist/app:latest")
	if err != nil {
		return err
	}
	img, err := remote.Image(ref, remote.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("reading the app image back: %w", err)
	}
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	for _, l := range m.Layers[:min(3, len(m.Layers))] {
		res.baseSize += l.Size
	}
	return nil
}

// binaryLayers reads the app's binary layer, the last one, from the images
// hoist and ko pushed in the no-op scenario (ko names its image
// app-<md5 of the import path>), to compare their gzip.
func (e *env) binaryLayers(ctx context.Context, res *results) error {
	reg, err := name.NewRegistry(e.registry)
	if err != nil {
		return err
	}
	repos, err := remote.Catalog(ctx, reg)
	if err != nil {
		return fmt.Errorf("listing the registry: %w", err)
	}
	last := func(repo string) (int64, error) {
		ref, err := name.ParseReference(e.registry + "/" + repo + ":latest")
		if err != nil {
			return 0, err
		}
		img, err := remote.Image(ref, remote.WithContext(ctx))
		if err != nil {
			return 0, fmt.Errorf("reading %s back: %w", ref, err)
		}
		m, err := img.Manifest()
		if err != nil {
			return 0, err
		}
		return m.Layers[len(m.Layers)-1].Size, nil
	}
	if res.hoistBinary, err = last("hoist/app"); err != nil {
		return err
	}
	for _, r := range repos {
		if strings.HasPrefix(r, "ko/app-") {
			res.koBinary, err = last(r)
			return err
		}
	}
	return fmt.Errorf("no ko image of app in %q", repos)
}

func (r *results) markdown(machine string, commands map[string]string, cmdline string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# hoist benchmark\n\nMachine: %s.\n\n", machine)
	b.WriteString("Medians of wall time; every tool builds the same packages from the same scratch copy, ")
	b.WriteString("alternating runs, against one local Distribution registry. ko's base is `hoist base`.\n\n")
	b.WriteString("| scenario | package | go build | hoist | ko | hoist/go | hoist/ko | hoist peak RSS |\n|---|---|---|---|---|---|---|---|\n")
	for _, sc := range []string{"cold", "no-op rebuild+push", "one-line change rebuild+push"} {
		for _, pkg := range r.pkgs(sc) {
			g, h, k := r.find(sc, pkg, "go"), r.find(sc, pkg, "hoist"), r.find(sc, pkg, "ko")
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", sc, pkg,
				cell(g), cell(h), cell(k), ratio(h.median(), g.median()), ratio(h.median(), k.median()), rss(h))
		}
	}
	b.WriteString("\n| two platforms (after an edit) | hoist amd64 | hoist arm64 | hoist both | ko both | both / (amd64+arm64) |\n|---|---|---|---|---|---|\n")
	for _, pkg := range r.pkgs("two platforms (after an edit)") {
		sc := "two platforms (after an edit)"
		a, m, both, ko := r.find(sc, pkg, "hoist amd64"), r.find(sc, pkg, "hoist arm64"), r.find(sc, pkg, "hoist both"), r.find(sc, pkg, "ko both")
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", pkg, cell(a), cell(m), cell(both), cell(ko), ratio(both.median(), a.median()+m.median()))
	}
	fmt.Fprintf(&b, "\nSynthesized base (passwd/group, CA bundle, tzdata), compressed: %.2f MiB.\n", float64(r.baseSize)/(1<<20))
	if r.koBinary > 0 {
		fmt.Fprintf(&b, "\nBinary layer of app, gzip: hoist %d bytes, ko %d bytes (hoist %+.2f %%).\n",
			r.hoistBinary, r.koBinary, 100*(float64(r.hoistBinary)/float64(r.koBinary)-1))
	}
	b.WriteString(r.targets())
	fmt.Fprintf(&b, "\n## How this was measured\n\n`%s`, which ran, per tool and package (first run shown):\n\n", cmdline)
	keys := slices.Sorted(maps.Keys(commands))
	for _, k := range keys {
		fmt.Fprintf(&b, "- %s: `%s`\n", k, commands[k])
	}
	b.WriteString("\nEvery tool runs with GOENV=off, GOFLAGS empty and GOTOOLCHAIN=local; cold runs also get an empty GOCACHE, GOMODCACHE and hoist cache.\n")
	b.WriteString("\nThe inner loop (save → a new pod answering, `hoist dev` against ko) is measured on the test cluster by `go run ./bench -devloop`: see [DEVLOOP.md](DEVLOOP.md).\n")
	return b.String()
}

func (r *results) pkgs(scenario string) []string {
	var out []string
	for _, x := range r.rows {
		if x.scenario == scenario && !slices.Contains(out, x.pkg) {
			out = append(out, x.pkg)
		}
	}
	return out
}

func cell(x *row) string {
	if x == nil {
		return "–"
	}
	return fmt.Sprintf("%s (n=%d)", secs(x.median()), len(x.samples))
}

func rss(x *row) string {
	if x == nil || x.maxRSS() == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f MiB", float64(x.maxRSS())/1024)
}
