package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

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
	frames := strings.Split(out.String(), "\x1b[2K")
	last := strings.Join(frames[len(frames)-2:], "")
	if !strings.Contains(last, "app ") || !strings.Contains(last, "done") || strings.Contains(last, "pushing") {
		t.Errorf("final frame = %q, want app done", last)
	}
}
