package main

import (
	"fmt"
	"strings"
	"time"
)

// target is one goal the results are judged against; check returns what
// was measured and whether the goal holds. Verdicts come from the
// measurements of this run only.
type target struct {
	goal  string
	check func(r *results) (measured string, met bool)
	// why explains a miss, printed only when the goal is not met.
	why string
}

var targets = []target{
	{"no-op rebuild+push of app ≤ 0.2 s", func(r *results) (string, bool) {
		h := r.find("no-op rebuild+push", "app", "hoist").median()
		return secs(h), h > 0 && h <= 200*time.Millisecond
	}, "a no-op still runs go env, git (when the tree is a repository) and a registry HEAD; on a loaded machine process start-up dominates"},
	{"no-op ≥ 8× faster than ko", func(r *results) (string, bool) {
		var parts []string
		met := true
		for _, pkg := range r.pkgs("no-op rebuild+push") {
			h, k := r.find("no-op rebuild+push", pkg, "hoist").median(), r.find("no-op rebuild+push", pkg, "ko").median()
			if h == 0 || k == 0 {
				continue
			}
			parts = append(parts, fmt.Sprintf("%s %.1f× (%s vs %s)", pkg, k.Seconds()/h.Seconds(), secs(h), secs(k)))
			met = met && k >= 8*h
		}
		return strings.Join(parts, ", "), met && len(parts) > 0
	}, ""},
	{"a no-op uploads and attaches nothing", func(r *results) (string, bool) {
		return fmt.Sprintf("at most %d changing registry requests per no-op", r.noopWrites), r.noopWrites == 0
	}, ""},
	{"one-line change ≤ 1.15 × the matched go build", func(r *results) (string, bool) {
		return r.ratios("one-line change rebuild+push", 1.15)
	}, "after an edit hoist also hashes, compresses and uploads the new binary layer and attaches its SBOM and provenance, work that grows with the binary and that go build does not do"},
	{"cold ≤ 1.05 × cold go build", func(r *results) (string, bool) {
		return r.ratios("cold", 1.05)
	}, "on top of the compile, a cold run writes and uploads every layer, including the base"},
	{"hoist peak RSS ≤ 100 MiB packaging a 50 MiB binary", func(r *results) (string, bool) {
		x := r.find("one-line change rebuild+push", "big (50 MiB binary)", "hoist")
		if x == nil {
			return "–", false
		}
		return rss(x), x.maxRSS() > 0 && x.maxRSS() <= 100*1024
	}, ""},
	{"binary layer of app within 0.5 % of ko's gzip", func(r *results) (string, bool) {
		if r.koBinary == 0 {
			return "", false
		}
		d := 100 * (float64(r.hoistBinary)/float64(r.koBinary) - 1)
		return fmt.Sprintf("%+.2f %% (%d vs %d bytes)", d, r.hoistBinary, r.koBinary), d <= 0.5
	}, ""},
	{"synthesized base ≤ 0.5 MiB compressed", func(r *results) (string, bool) {
		return fmt.Sprintf("%.2f MiB", float64(r.baseSize)/(1<<20)), r.baseSize > 0 && r.baseSize <= 1<<19
	}, ""},
}

// ratios lists hoist/go per package for a scenario and whether each is
// within limit.
func (r *results) ratios(scenario string, limit float64) (string, bool) {
	var parts []string
	met := true
	for _, pkg := range r.pkgs(scenario) {
		h, g := r.find(scenario, pkg, "hoist").median(), r.find(scenario, pkg, "go").median()
		if h == 0 || g == 0 {
			continue
		}
		q := h.Seconds() / g.Seconds()
		parts = append(parts, fmt.Sprintf("%s %.2f", pkg, q))
		met = met && q <= limit
	}
	return strings.Join(parts, ", "), met && len(parts) > 0
}

func (r *results) targets() string {
	var b strings.Builder
	var misses []string
	b.WriteString("\n## Targets, judged from the table above\n\n| target | measured | met |\n|---|---|---|\n")
	for _, t := range targets {
		m, ok := t.check(r)
		verdict := "no"
		switch {
		case m == "" || m == "–":
			m, verdict, ok = "not measured in this run", "–", true
		case ok:
			verdict = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.goal, m, verdict)
		if !ok && t.why != "" {
			misses = append(misses, fmt.Sprintf("- %s: %s.", t.goal, t.why))
		}
	}
	if len(misses) > 0 {
		b.WriteString("\nWhy the misses:\n\n" + strings.Join(misses, "\n") + "\n")
	}
	return b.String()
}
