package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pipeline"
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

// display is where a run reports: its logger, and the progress and upload
// events and the go command's output when --progress asks for them.
type display struct {
	log      *slog.Logger
	progress func(pipeline.Event)
	upload   func(image string, done, total int64)
	stderr   io.Writer
	// finish must run before anything is printed on stdout, so that no
	// redraw of the live display lands over it; it is idempotent.
	finish func()
}

// startProgress sets up the display --progress asks for and logs the
// settings' notes to it.
func startProgress(cmd *cobra.Command, s *settings) (*display, error) {
	mode, err := progressMode(s.build.progress, os.Stderr)
	if err != nil {
		return nil, err
	}
	var d *display
	switch mode {
	case "tty":
		view := newLiveView(os.Stderr)
		// Warnings and go's diagnostics go through the view, which keeps
		// them above its frame instead of drawing over them.
		d = &display{log: newLogger(cmd, view, slog.LevelWarn), progress: view.event, upload: view.upload, stderr: view, finish: view.finish}
	case "plain":
		log := logger(cmd)
		p := newPlainProgress(log, heartbeat, time.Now)
		d = &display{log: log, progress: p.event, finish: p.start()}
	default:
		d = &display{log: newLogger(cmd, os.Stderr, slog.LevelWarn), finish: func() {}}
	}
	s.report(d.log)
	return d, nil
}

// startRun starts the display of a run in the working directory, which it
// returns.
func startRun(cmd *cobra.Command, s *settings) (*display, string, error) {
	d, err := startProgress(cmd, s)
	if err != nil {
		return nil, "", err
	}
	cwd, err := os.Getwd()
	if err != nil {
		d.finish()
		return nil, "", err
	}
	return d, cwd, nil
}

// newLogger writes text records at level and above to w (debug with -v).
func newLogger(cmd *cobra.Command, w io.Writer, level slog.Level) *slog.Logger {
	if v, _ := cmd.Flags().GetBool("verbose"); v {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
