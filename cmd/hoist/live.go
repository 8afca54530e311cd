package main

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hoist-build/hoist/pipeline"
)

// liveView redraws one line per image and platform on a terminal. Redraws
// are throttled: upload updates arrive far faster than anyone can read.
// Other output to the terminal's stderr goes through Write, which prints it
// above the frame; after finish the frame is final and nothing redraws it,
// so what is printed next (the image references on stdout) stays on screen.
type liveView struct {
	mu       sync.Mutex
	w        io.Writer
	lines    map[string]string
	drawn    int
	last     time.Time
	partial  []byte // a line written without its newline yet
	finished bool
	// width is the terminal's, when known: a frame line that wrapped would
	// take two rows and the cursor-up count would erase a line above it.
	width int
}

func newLiveView(w io.Writer) *liveView {
	v := &liveView{w: w, lines: map[string]string{}}
	if f, ok := w.(interface{ Fd() uintptr }); ok {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil {
			v.width = int(ws.Col)
		}
	}
	return v
}

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
	if v.finished {
		return
	}
	v.lines[key] = status
	if !force && time.Since(v.last) < 100*time.Millisecond {
		return
	}
	v.redraw()
}

// Write prints complete lines of p above the frame: it erases the frame,
// writes the lines and draws the frame again below them.
func (v *liveView) Write(p []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.partial = append(v.partial, p...)
	i := bytes.LastIndexByte(v.partial, '\n')
	if i < 0 {
		return len(p), nil
	}
	text := v.partial[:i+1]
	v.partial = append([]byte(nil), v.partial[i+1:]...)
	if v.finished {
		_, err := v.w.Write(text)
		return len(p), err
	}
	var b strings.Builder
	v.erase(&b)
	b.Write(text)
	if _, err := io.WriteString(v.w, b.String()); err != nil {
		return len(p), err
	}
	v.drawn = 0
	if len(v.lines) > 0 {
		v.redraw()
	}
	return len(p), nil
}

// erase moves the cursor to the first line of the frame and clears from
// there to the end of the screen.
func (v *liveView) erase(b *strings.Builder) {
	if v.drawn > 0 {
		fmt.Fprintf(b, "\x1b[%dA\r\x1b[J", v.drawn)
	}
}

// redraw moves the cursor up over the previous frame and rewrites it.
func (v *liveView) redraw() {
	keys := make([]string, 0, len(v.lines))
	for k := range v.lines {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	v.erase(&b)
	for _, k := range keys {
		line := fmt.Sprintf("%-40s %s", k, v.lines[k])
		if r := []rune(line); v.width > 1 && len(r) >= v.width {
			line = string(r[:v.width-1])
		}
		b.WriteString(line + "\n")
	}
	io.WriteString(v.w, b.String())
	v.drawn, v.last = len(keys), time.Now()
}

// finish draws the final frame and stops all redrawing, so the last state
// stays on screen and nothing printed afterwards is overwritten. A line
// left without its newline is printed last.
func (v *liveView) finish() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.finished {
		return
	}
	if len(v.lines) > 0 {
		v.redraw()
	}
	if len(v.partial) > 0 {
		v.w.Write(append(v.partial, '\n'))
		v.partial = nil
	}
	v.finished = true
}
