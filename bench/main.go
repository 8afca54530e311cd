package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
)

type config struct {
	runs, coldRuns int
	out, work      string
	koVersion      string
	skipCold       bool
	// devLoop runs only the inner-loop scenario (bench/DEVLOOP.md).
	devLoop  bool
	loopRuns int
	loopOut  string
}

func main() {
	var cfg config
	flag.IntVar(&cfg.runs, "runs", 5, "runs per warm scenario and tool")
	flag.IntVar(&cfg.coldRuns, "cold-runs", 2, "runs per cold scenario and tool (each compiles the standard library)")
	flag.BoolVar(&cfg.skipCold, "skip-cold", false, "skip the cold scenario")
	flag.StringVar(&cfg.out, "out", "bench/RESULTS.md", "where to write the results table")
	flag.StringVar(&cfg.work, "work", "bench/.work", "scratch directory (git-ignored)")
	flag.StringVar(&cfg.koVersion, "ko", "v0.19.1", "ko version to install")
	flag.BoolVar(&cfg.devLoop, "devloop", false, "measure only the inner loop (hoist dev, ko apply) on the test cluster; root only")
	flag.IntVar(&cfg.loopRuns, "devloop-runs", 10, "edits per inner-loop variant")
	flag.StringVar(&cfg.loopOut, "devloop-out", "bench/DEVLOOP.md", "where to write the inner-loop results")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	work, err := filepath.Abs(cfg.work)
	if err != nil {
		return err
	}
	env, err := setup(ctx, root, work, cfg.koVersion)
	if err != nil {
		return err
	}
	defer env.close()
	if cfg.devLoop {
		return env.devLoop(ctx, cfg.loopRuns, cfg.koVersion, cfg.loopOut)
	}
	var res results
	for _, pkg := range env.packages() {
		if !cfg.skipCold {
			if err := env.cold(ctx, pkg, cfg.coldRuns, &res); err != nil {
				return err
			}
		}
		for _, sc := range []func(context.Context, pkgSpec, int, *results) error{env.noop, env.change, env.twoPlatforms} {
			if err := sc(ctx, pkg, cfg.runs, &res); err != nil {
				return err
			}
		}
	}
	if err := env.bigBinary(ctx, cfg.runs, &res); err != nil {
		return err
	}
	if err := env.baseSize(ctx, &res); err != nil {
		return err
	}
	if err := env.binaryLayers(ctx, &res); err != nil {
		return err
	}
	report := res.markdown(describeMachine(ctx), env.commands, "go run ./bench "+strings.Join(os.Args[1:], " "))
	fmt.Print(report)
	return os.WriteFile(cfg.out, []byte(report), 0o644)
}
