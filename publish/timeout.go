package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// timeoutError is a request that made no progress for the timeout.
type timeoutError struct {
	host  string
	after time.Duration
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("timed out after %s talking to %s", e.after, e.host)
}

// Timeout lets callers that test net.Error-style timeouts recognise it.
func (e *timeoutError) Timeout() bool { return true }

// stallTimeout fails a request once it has made no progress for d: no
// response headers and no body bytes moving either way. A deadline on the
// whole request would cut off a large layer on a slow but working link.
type stallTimeout struct {
	inner http.RoundTripper
	d     time.Duration
}

func (s *stallTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	w := newWatchdog(s.d, func() { cancel(&timeoutError{host: req.URL.Host, after: s.d}) })
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
	w.end()
	if err != nil {
		w.stop()
		cancel(nil)
		return nil, w.explain(ctx, err)
	}
	resp.Body = &watchedBody{rc: resp.Body, w: w, done: func() { w.stop(); cancel(nil) }, ctx: ctx}
	return resp, nil
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
	b.w.end()
	if err != nil && b.ctx != nil {
		err = b.w.explain(b.ctx, err)
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

// watchdog fires when someone has been blocked on the request for d without
// progress. While nobody is blocked (the caller holds a response body but is
// not reading it) the clock does not run against the registry.
type watchdog struct {
	d      time.Duration
	onFire func()

	mu      sync.Mutex
	active  int
	last    time.Time
	fired   bool
	stopped bool
	timer   *time.Timer
}

func newWatchdog(d time.Duration, onFire func()) *watchdog {
	w := &watchdog{d: d, onFire: onFire, last: time.Now()}
	w.timer = time.AfterFunc(d, w.check)
	return w
}

func (w *watchdog) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	if w.active == 0 {
		w.timer.Reset(w.d)
		return
	}
	if idle := time.Since(w.last); idle < w.d {
		w.timer.Reset(w.d - idle)
		return
	}
	w.fired = true
	w.stopped = true
	w.onFire()
}

func (w *watchdog) begin() { w.mark(1) }
func (w *watchdog) end()   { w.mark(-1) }

func (w *watchdog) mark(delta int) {
	w.mu.Lock()
	w.active += delta
	w.last = time.Now()
	w.mu.Unlock()
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
