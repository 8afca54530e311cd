package main

import (
	"context"

	"github.com/hoist-build/hoist/internal/workdir"
	"github.com/hoist-build/hoist/pipeline"
)

// runPipeline runs one pipeline in a work directory of its own, removed
// afterwards.
func runPipeline(ctx context.Context, opts pipeline.Options) ([]pipeline.Result, error) {
	return inWorkDir(opts, func(opts pipeline.Options) ([]pipeline.Result, error) { return pipeline.Run(ctx, opts) })
}

// inWorkDir calls fn with opts.WorkDir a directory of its own, removed
// afterwards.
func inWorkDir[T any](opts pipeline.Options, fn func(pipeline.Options) (T, error)) (T, error) {
	work, release, err := workdir.New(opts.Logger)
	if err != nil {
		var zero T
		return zero, err
	}
	defer release()
	opts.WorkDir = work
	return fn(opts)
}
