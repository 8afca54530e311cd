package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// interrupted is the cause of a run cancelled by a signal.
type interrupted struct{ sig syscall.Signal }

func (i interrupted) Error() string { return "interrupted" }

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		// A second Ctrl-C gets the default action: end hoist at once.
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		cancel(interrupted{sig.(syscall.Signal)})
	}()
	err := newRoot().ExecuteContext(ctx)
	if err == nil {
		return
	}
	// Whatever the cancelled step reported ("signal: interrupt", "context
	// canceled"), the user needs to know only that they stopped it, and the
	// shell the conventional 128+signal status.
	var intr interrupted
	if errors.As(context.Cause(ctx), &intr) {
		fmt.Fprintln(os.Stderr, "hoist: interrupted")
		os.Exit(128 + int(intr.sig))
	}
	fmt.Fprintln(os.Stderr, "hoist:", err)
	os.Exit(1)
}
