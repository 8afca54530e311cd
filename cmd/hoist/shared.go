package main

import (
	"context"

	"github.com/hoist-build/hoist/internal/workdir"
	"github.com/hoist-build/hoist/pipeline"
)

// runPipeline runs one pipeline in a work directory of its own, removed
// afterwards.
func runPipeline(ctx context.Context, opts pipeline.Options) ([]pipeline.Result, error) {
	work, release, err := workdir.New(opts.Logger)
	if err != nil {
		return nil, err
	}
	defer release()
	opts.WorkDir = work
	return pipeline.Run(ctx, opts)
}
