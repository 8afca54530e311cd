package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// MinRate is the slowest transfer a request may keep up: in every period
// of the timeout spent waiting on the registry, at least MinRate × timeout
// bytes must move. A registry dripping a byte every few seconds would
// otherwise hold hoist forever while always looking alive.
const MinRate = 16 << 10 // bytes per second, a 128 kbit/s link

// timeoutError is a request that made too little progress, or, for a small
// request, took longer than the timeout overall.
type timeoutError struct {
	host  string
	after time.Duration
	why   string // "" (no progress), "slow" or "deadline"
	// body: it ended a body being read, which ggcr does not retry for
	// pulls, so the error must not claim retries.
	body bool
}

func (e *timeoutError) Error() string {
	switch e.why {
	case "slow":
		return fmt.Sprintf("%s sent less than %d KiB in %s (under the minimum of %d KiB/s): giving up", e.host, minBytes(e.after)>>10, e.after, MinRate>>10)
	case "deadline":
		return fmt.Sprintf("%s did not complete a small request within %s: giving up", e.host, e.after)
	}
	return fmt.Sprintf("timed out after %s talking to %s", e.after, e.host)
}

// Timeout lets callers that test net.Error-style timeouts recognise it.
func (e *timeoutError) Timeout() bool { return true }

func minBytes(d time.Duration) int64 { return max(1, int64(d.Seconds()*MinRate)) }

// stallTimeout bounds every request. Each period d spent waiting on the
// registry (for headers or body bytes, either way) must move minBytes(d),
// and headers count as progress; while nobody waits (the caller holds a
// body but is busy) the clock does not run. Requests that are not blob
// transfers (pings, tokens, manifests, tag lists) also have a deadline of
// d overall; a whole-request deadline on blobs would cut off a large layer
// on a slow but working link.
type stallTimeout struct {
	inner http.RoundTripper
	d     time.Duration
}

func (s *stallTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	w := newWatchdog(s.d, minBytes(s.d), func(why string) { cancel(&timeoutError{host: req.URL.Host, after: s.d, why: why}) })
	if !isBlobPath(req.URL.Path) {
		w.setDeadline(time.Now().Add(s.d))
	}
	out := req.WithContext(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		out.Body = &watchedBody{rc: req.Body, w: w}
		if req.GetBody != nil {
			out.GetBody = func() (io.ReadCloser, error) {
				rc, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				return &watchedBody{rc: rc, w: w}, nil
			}
		}
	}
	w.begin()
	resp, err := s.inner.RoundTrip(out)
	w.end(0, err == nil)
	if err != nil {
		w.stop()
		cancel(nil)
		return nil, w.explain(ctx, err)
	}
	resp.Body = &watchedBody{rc: resp.Body, w: w, done: func() { w.stop(); cancel(nil) }, ctx: ctx}
	return resp, nil
}

// isBlobPath matches blob downloads and uploads, whose size has no bound
// worth a deadline. Anything else a registry serves is small.
func isBlobPath(p string) bool {
	return strings.Contains(p, "/blobs/") || !strings.HasPrefix(p, "/v2/")
}

// watchedBody reports each read to the watchdog and turns the cancellation
// it causes back into the timeout error.
type watchedBody struct {
	rc   io.ReadCloser
	w    *watchdog
	ctx  context.Context
	done func()
	once sync.Once
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.w.begin()
	n, err := b.rc.Read(p)
	b.w.end(n, false)
	if err != nil && b.ctx != nil {
		err = b.w.explain(b.ctx, err)
		if te, ok := err.(*timeoutError); ok {
			inBody := *te
			inBody.body = true
			err = &inBody
		}
	}
	if errors.Is(err, io.EOF) && b.done != nil {
		b.once.Do(b.done)
	}
	return n, err
}

func (b *watchedBody) Close() error {
	err := b.rc.Close()
	if b.done != nil {
		b.once.Do(b.done)
	}
	return err
}

// watchdog fires when someone has waited on the request for d in total
// since the last progress, where progress is minBytes moved (or headers
// received), or when the deadline passes.
type watchdog struct {
	d        time.Duration
	minBytes int64
	onFire   func(why string)

	mu       sync.Mutex
	active   int
	since    time.Time     // when active last became non-zero
	waited   time.Duration // waiting time since the last progress, before since
	moved    int64         // bytes since the last progress
	deadline time.Time
	// progressed: headers or bytes arrived, so an overrun deadline is
	// worded as such and not as silence.
	progressed bool
	fired      bool
	stopped    bool
	timer      *time.Timer
}

func newWatchdog(d time.Duration, minBytes int64, onFire func(string)) *watchdog {
	w := &watchdog{d: d, minBytes: minBytes, onFire: onFire}
	w.timer = time.AfterFunc(d, w.check)
	return w
}

func (w *watchdog) setDeadline(t time.Time) {
	w.mu.Lock()
	w.deadline = t
	w.mu.Unlock()
}

func (w *watchdog) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	now := time.Now()
	if !w.deadline.IsZero() && !now.Before(w.deadline) {
		why := ""
		if w.progressed {
			why = "deadline"
		}
		w.fire(why)
		return
	}
	waited := w.waited
	if w.active > 0 {
		waited += now.Sub(w.since)
	}
	if waited >= w.d {
		why := ""
		if w.moved > 0 {
			why = "slow"
		}
		w.fire(why)
		return
	}
	next := w.d - waited
	if !w.deadline.IsZero() {
		next = min(next, w.deadline.Sub(now))
	}
	w.timer.Reset(next)
}

func (w *watchdog) fire(why string) {
	w.fired = true
	w.stopped = true
	w.onFire(why)
}

func (w *watchdog) begin() {
	w.mu.Lock()
	if w.active == 0 {
		w.since = time.Now()
	}
	w.active++
	w.mu.Unlock()
}

// end closes a wait that moved n bytes; progress marks headers received.
func (w *watchdog) end(n int, progress bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.active--
	if w.active == 0 {
		w.waited += now.Sub(w.since)
	}
	w.moved += int64(n)
	w.progressed = w.progressed || progress || n > 0
	if progress || w.moved >= w.minBytes {
		w.moved, w.waited, w.since = 0, 0, now
	}
}

func (w *watchdog) stop() {
	w.mu.Lock()
	w.stopped = true
	w.timer.Stop()
	w.mu.Unlock()
}

// explain swaps the cancellation error of a request the watchdog ended for
// the timeout that caused it.
func (w *watchdog) explain(ctx context.Context, err error) error {
	w.mu.Lock()
	fired := w.fired
	w.mu.Unlock()
	var te *timeoutError
	if fired && errors.As(context.Cause(ctx), &te) {
		return te
	}
	return err
}
