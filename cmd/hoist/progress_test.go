package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/ptytest"
	"github.com/hoist-build/hoist/pipeline"
)

func TestProgressMode(t *testing.T) {
	// A regular file is not a terminal: auto must fall back to plain lines.
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases := map[string]string{"auto": "plain", "": "plain", "plain": "plain", "tty": "tty", "none": "none", "fancy": ""}
	for in, want := range cases {
		got, err := progressMode(in, f)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("progressMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestLiveViewKeepsDone(t *testing.T) {
	var out bytes.Buffer
	v := newLiveView(&out)
	v.event(pipeline.Event{Image: "app", Platform: "linux/amd64", Stage: pipeline.StageCompiling})
	v.upload("app", 1, 2)
	v.event(pipeline.Event{Image: "app", Stage: pipeline.StageDone})
	v.upload("app", 2, 2) // a trailing update must not undo "done"
	v.finish()
	screen, err := ptytest.Render(bytes.ReplaceAll(out.Bytes(), []byte("\n"), []byte("\r\n")), 24, 80)
	if err != nil {
		t.Fatal(err)
	}
	if len(screen) != 2 || !strings.HasPrefix(screen[0], "app ") || !strings.HasSuffix(screen[0], " done") {
		t.Errorf("screen = %q, want app done", screen)
	}
}

// TestLiveViewScreen renders what the display writes, with a warning and
// go's output arriving in the middle, and a reference printed after finish.
func TestLiveViewScreen(t *testing.T) {
	var out bytes.Buffer
	v := newLiveView(&out)
	v.event(pipeline.Event{Image: "api", Platform: "linux/amd64", Stage: pipeline.StageCompiling})
	v.event(pipeline.Event{Image: "web", Platform: "linux/amd64", Stage: pipeline.StageCompiling})
	fmt.Fprint(v, "level=WARN msg=careful\npartial ")
	fmt.Fprint(v, "line\n")
	v.event(pipeline.Event{Image: "api", Stage: pipeline.StageDone})
	v.finish()
	v.event(pipeline.Event{Image: "web", Stage: pipeline.StageDone}) // too late: no redraw
	out.WriteString("REF\n")
	screen, err := ptytest.Render(bytes.ReplaceAll(out.Bytes(), []byte("\n"), []byte("\r\n")), 24, 80)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"level=WARN msg=careful",
		"partial line",
		"api                                      done",
		"api linux/amd64                          compiling",
		"web linux/amd64                          compiling",
		"REF",
	}
	if !slices.Equal(screen, want) {
		t.Errorf("screen:\n%s\nwant:\n%s", strings.Join(screen, "\n"), strings.Join(want, "\n"))
	}
}

// TestPlainProgress checks the CI display with a fake clock: one line per
// phase start, and a heartbeat only for a compile or push that has been
// silent for an interval.
func TestPlainProgress(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == slog.LevelKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	now := time.Unix(1000, 0)
	p := newPlainProgress(log, 10*time.Second, func() time.Time { return now })
	step := func(d time.Duration) { now = now.Add(d); p.beat() }
	p.event(pipeline.Event{Image: "api", Platform: "linux/amd64", Stage: pipeline.StageCompiling})
	p.event(pipeline.Event{Image: "api", Platform: "linux/amd64", Stage: pipeline.StageCompiling}) // repeated: no line
	step(9 * time.Second)
	step(2 * time.Second)
	step(5 * time.Second)
	step(5 * time.Second)
	p.event(pipeline.Event{Image: "api", Platform: "linux/amd64", Stage: pipeline.StageLayered})
	step(30 * time.Second) // waiting is not a running phase
	p.event(pipeline.Event{Image: "api", Stage: pipeline.StagePushing})
	step(12 * time.Second)
	p.event(pipeline.Event{Image: "api", Stage: pipeline.StageDone})
	step(30 * time.Second)
	want := `msg=compiling image=api platform=linux/amd64
msg="still compiling" image=api platform=linux/amd64 for=11s
msg="still compiling" image=api platform=linux/amd64 for=21s
msg=layered image=api platform=linux/amd64
msg=pushing image=api
msg="still pushing" image=api for=12s
msg=done image=api
`
	if logs.String() != want {
		t.Errorf("logged:\n%s\nwant:\n%s", logs.String(), want)
	}
}

// TestLiveViewNarrowTerminal: frame lines longer than the terminal is wide
// would wrap, and the next redraw would move up too few rows.
func TestLiveViewNarrowTerminal(t *testing.T) {
	var out bytes.Buffer
	v := newLiveView(&out)
	v.width = 30
	fmt.Fprint(v, "keep me\n")
	v.event(pipeline.Event{Image: "a-service-with-a-long-name", Platform: "linux/arm64", Stage: pipeline.StageCompiling})
	v.event(pipeline.Event{Image: "a-service-with-a-long-name", Platform: "linux/arm64", Stage: pipeline.StageLayered})
	v.finish()
	screen, err := ptytest.Render(bytes.ReplaceAll(out.Bytes(), []byte("\n"), []byte("\r\n")), 24, 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(screen) != 2 || screen[0] != "keep me" {
		t.Errorf("screen:\n%s\nwant keep me and one frame line", strings.Join(screen, "\n"))
	}
}
