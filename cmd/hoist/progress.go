package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"
)

// heartbeat is how long a phase runs before plain progress says it still
// does: a CI log silent for minutes looks like a hang.
const heartbeat = 10 * time.Second

// progressMode resolves --progress: "auto" is a live display on a terminal
// and plain log lines elsewhere (CI logs cannot redraw).
func progressMode(flag string, stderr *os.File) (string, error) {
	switch flag {
	case "plain", "tty", "none":
		return flag, nil
	case "", "auto":
		if fi, err := stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return "tty", nil
		}
		return "plain", nil
	}
	return "", fmt.Errorf("invalid --progress %q: use auto, plain, tty or none", flag)
}

// startProgress applies --progress to s: it returns the logger for the run
// and a finish function that must run before anything is printed on stdout,
// so that no redraw of the live display lands over it. finish is idempotent.
func (s *settings) startProgress(cmd *cobra.Command) (*slog.Logger, func(), error) {
	mode, err := progressMode(s.v.GetString("progress"), os.Stderr)
	if err != nil {
		return nil, nil, err
	}
	switch mode {
	case "tty":
		view := newLiveView(os.Stderr)
		s.progress, s.upload, s.stderr = view.event, view.upload, view
		// Warnings and go's diagnostics go through the view, which keeps
		// them above its frame instead of drawing over them.
		return newLogger(cmd, view, slog.LevelWarn), view.finish, nil
	case "plain":
		log := logger(cmd)
		p := newPlainProgress(log, heartbeat, time.Now)
		s.progress = p.event
		stop := p.start()
		return log, stop, nil
	}
	return newLogger(cmd, os.Stderr, slog.LevelWarn), func() {}, nil
}

// newLogger writes text records at level and above to w (debug with -v).
func newLogger(cmd *cobra.Command, w io.Writer, level slog.Level) *slog.Logger {
	if v, _ := cmd.Flags().GetBool("verbose"); v {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
