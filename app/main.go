package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))

	cfg, err := newConfig(os.Getenv("PORT"), os.Getenv("SHUTDOWN_GRACE"))
	if err != nil {
		logger.Error("reading configuration", "err", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	// Restoring default handling after the first signal lets a second one
	// kill the process at once instead of waiting out the grace period.
	context.AfterFunc(ctx, stop)

	if err := run(ctx, cfg, logger); err != nil {
		stop()
		logger.Error("exiting", "err", err)
		os.Exit(1)
	}
	stop()
}
