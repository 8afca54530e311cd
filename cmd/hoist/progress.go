package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pipeline"
)

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

// liveView redraws one line per image and platform on a terminal. Redraws
// are throttled: upload updates arrive far faster than anyone can read.
type liveView struct {
	mu     sync.Mutex
	w      io.Writer
	lines  map[string]string
	drawn  int
	last   time.Time
	stdout bool
}

func newLiveView(w io.Writer) *liveView { return &liveView{w: w, lines: map[string]string{}} }

func (v *liveView) event(e pipeline.Event) {
	key := e.Image
	if e.Platform != "" {
		key += " " + e.Platform
	}
	v.set(key, string(e.Stage), e.Stage == pipeline.StageDone)
}

func (v *liveView) upload(image string, done, total int64) {
	v.mu.Lock()
	finished := v.lines[image] == string(pipeline.StageDone)
	v.mu.Unlock()
	if finished { // ggcr's last updates can trail the end of the push
		return
	}
	v.set(image, fmt.Sprintf("pushing %s / %s", mib(done), mib(total)), done == total)
}

func (v *liveView) set(key, status string, force bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.lines[key] = status
	if !force && time.Since(v.last) < 100*time.Millisecond {
		return
	}
	v.redraw()
}

// redraw moves the cursor up over the previous frame and rewrites it.
func (v *liveView) redraw() {
	keys := make([]string, 0, len(v.lines))
	for k := range v.lines {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	if v.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", v.drawn)
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "\x1b[2K%-40s %s\n", k, v.lines[k])
	}
	io.WriteString(v.w, b.String())
	v.drawn, v.last = len(keys), time.Now()
}

// finish draws the final frame so the last state stays on screen.
func (v *liveView) finish() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.lines) > 0 {
		v.redraw()
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// quietLogger keeps warnings and errors only, under a live display.
func quietLogger(cmd *cobra.Command) *slog.Logger {
	level := slog.LevelWarn
	if v, _ := cmd.Flags().GetBool("verbose"); v {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
