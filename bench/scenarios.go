package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

type sample struct {
	wall   time.Duration
	rssKiB int // hoist's own peak RSS (from its debug log); 0 for other tools
}

// invocation is one tool run.
type invocation struct {
	tool      string // "go", "hoist", "ko"
	pkg       pkgSpec
	platforms []string
	env       []string // extra environment, e.g. a fresh GOCACHE
	repo      string   // registry repository suffix, to start from an empty one
}

var rssLine = regexp.MustCompile(`peak_rss_kib=(\d+)`)

func (e *env) measure(ctx context.Context, inv invocation) (sample, error) {
	if len(inv.platforms) == 0 {
		inv.platforms = []string{"linux/amd64"}
	}
	repo := e.registry + "/" + strings.Trim(inv.repo+"/"+inv.tool, "/")
	var name string
	var args, extra []string
	switch inv.tool {
	case "go":
		goos, goarch, _ := strings.Cut(inv.platforms[0], "/")
		name = "go"
		flags, err := e.goFlags(inv.pkg)
		if err != nil {
			return sample{}, err
		}
		args = append(append([]string{"build"}, flags...), "-o", filepath.Join(e.work, "out", inv.pkg.name), inv.pkg.path)
		extra = []string{"CGO_ENABLED=0", "GOOS=" + goos, "GOARCH=" + goarch}
	case "hoist":
		name = filepath.Join(e.bin, "hoist")
		args = []string{"build", "-v", "--repo", repo, "--platform", strings.Join(inv.platforms, ","), inv.pkg.path}
		extra = []string{"HOIST_CACHE=" + filepath.Join(e.work, "hoist-cache")}
	case "ko":
		name = filepath.Join(e.bin, "ko")
		args = []string{"build", "--platform=" + strings.Join(inv.platforms, ","), inv.pkg.path}
		extra = []string{"KO_DOCKER_REPO=" + repo, "KO_DEFAULTBASEIMAGE=" + e.registry + "/base:latest"}
	}
	if _, ok := e.commands[inv.tool+" "+inv.pkg.name]; !ok {
		e.commands[inv.tool+" "+inv.pkg.name] = strings.TrimSpace(strings.Join(append(slices.Clone(extra), inv.env...), " ") + " " + filepath.Base(name) + " " + strings.Join(args, " "))
	}
	cmd := e.command(ctx, e.src, append(extra, inv.env...), name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	s := sample{wall: time.Since(start)}
	if err != nil {
		return s, fmt.Errorf("%s %s: %w\n%s", inv.tool, strings.Join(args, " "), err, stderr.String())
	}
	if m := rssLine.FindStringSubmatch(stderr.String()); m != nil {
		s.rssKiB, _ = strconv.Atoi(m[1])
	}
	return s, nil
}

var tools = []string{"go", "hoist", "ko"}

// cold builds with an empty Go build cache, module cache and hoist cache
// and an empty repository: what a fresh CI runner pays.
func (e *env) cold(ctx context.Context, pkg pkgSpec, runs int, res *results) error {
	for i := 0; i < runs; i++ {
		for _, tool := range tools {
			caches := filepath.Join(e.work, "cold")
			os.RemoveAll(caches)
			inv := invocation{tool: tool, pkg: pkg, repo: fmt.Sprintf("cold%d-%d", i, time.Now().UnixNano()),
				env: []string{"GOCACHE=" + filepath.Join(caches, "go"), "GOMODCACHE=" + filepath.Join(caches, "mod"),
					"GOFLAGS=-modcacherw", "HOIST_CACHE=" + filepath.Join(caches, "hoist")}}
			if err := e.record(ctx, res, "cold", inv); err != nil {
				return err
			}
		}
	}
	return nil
}

// noop rebuilds and pushes with nothing changed.
func (e *env) noop(ctx context.Context, pkg pkgSpec, runs int, res *results) error {
	for _, tool := range tools {
		if _, err := e.measure(ctx, invocation{tool: tool, pkg: pkg}); err != nil {
			return err
		}
	}
	for i := 0; i < runs; i++ {
		for _, tool := range tools {
			before, err := e.writes(ctx)
			if err != nil {
				return err
			}
			if err := e.record(ctx, res, "no-op rebuild+push", invocation{tool: tool, pkg: pkg}); err != nil {
				return err
			}
			after, err := e.writes(ctx)
			if err != nil {
				return err
			}
			if tool == "hoist" {
				res.noopWrites = max(res.noopWrites, after-before)
			}
		}
	}
	return nil
}

// change makes a one-line edit before every run of every tool.
func (e *env) change(ctx context.Context, pkg pkgSpec, runs int, res *results) error {
	for i := 0; i < runs; i++ {
		for _, tool := range tools {
			if err := e.edit(pkg); err != nil {
				return err
			}
			if err := e.record(ctx, res, "one-line change rebuild+push", invocation{tool: tool, pkg: pkg}); err != nil {
				return err
			}
		}
	}
	return nil
}

// twoPlatforms compares one two-platform build with the two single-platform
// builds it replaces, each after an edit.
func (e *env) twoPlatforms(ctx context.Context, pkg pkgSpec, runs int, res *results) error {
	both := []string{"linux/amd64", "linux/arm64"}
	if err := e.edit(pkg); err != nil {
		return err
	}
	if _, err := e.measure(ctx, invocation{tool: "hoist", pkg: pkg, platforms: both}); err != nil {
		return err
	}
	cases := []struct {
		label string
		inv   invocation
	}{
		{"hoist amd64", invocation{tool: "hoist", pkg: pkg, platforms: both[:1]}},
		{"hoist arm64", invocation{tool: "hoist", pkg: pkg, platforms: both[1:]}},
		{"hoist both", invocation{tool: "hoist", pkg: pkg, platforms: both}},
		{"ko both", invocation{tool: "ko", pkg: pkg, platforms: both}},
	}
	for i := 0; i < runs; i++ {
		for _, c := range cases {
			if err := e.edit(pkg); err != nil {
				return err
			}
			s, err := e.measure(ctx, c.inv)
			if err != nil {
				return err
			}
			res.add("two platforms (after an edit)", pkg.name, c.label, s)
		}
	}
	return nil
}

// bigBinary packages a 50 MiB binary after an edit: hoist's own memory must
// stay flat because layers are streamed, never buffered.
func (e *env) bigBinary(ctx context.Context, runs int, res *results) error {
	pkg := pkgSpec{"big (50 MiB binary)", "./bench/big"}
	for i := 0; i < runs; i++ {
		for _, tool := range []string{"go", "hoist"} {
			if err := e.edit(pkg); err != nil {
				return err
			}
			if err := e.record(ctx, res, "one-line change rebuild+push", invocation{tool: tool, pkg: pkg}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *env) record(ctx context.Context, res *results, scenario string, inv invocation) error {
	fmt.Fprintf(os.Stderr, "bench: %s %s %s\n", scenario, inv.pkg.name, inv.tool)
	s, err := e.measure(ctx, inv)
	if err != nil {
		return err
	}
	res.add(scenario, inv.pkg.name, inv.tool, s)
	return nil
}
