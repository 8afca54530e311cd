package registry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// retryStatusCodes are the answers ggcr retries: errors that may pass.
// 429 and 503 say the request was not processed and when to come back, so
// retryBusy replays those below ggcr instead, honouring Retry-After.
var retryStatusCodes = []int{
	http.StatusInternalServerError,
	http.StatusBadGateway,
	http.StatusGatewayTimeout,
}

func isBusy(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable
}

const (
	// maxRetryDelay bounds the exponential growth of the wait between
	// attempts (before jitter).
	maxRetryDelay = 30 * time.Second
	// maxRetryAfter bounds how long a Retry-After header can hold a push:
	// a registry asking for an hour is better answered with a failure.
	maxRetryAfter = 60 * time.Second
	// retryJitter spreads the waits up to half as long again, so parallel
	// uploads that failed together do not retry together.
	retryJitter = 0.5
)

// backoff allows retries+1 attempts, waiting first, then roughly doubling.
// The growth factor shrinks for long retry counts so the last wait stays
// near maxRetryDelay: ggcr's own Cap would instead end the retries early
// once reached.
func backoff(retries int, first time.Duration) remote.Backoff {
	if first <= 0 {
		first = DefaultRetryDelay
	}
	factor := 2.0
	if retries > 1 {
		factor = math.Pow(float64(maxRetryDelay)/float64(first), 1/float64(retries-1))
		factor = math.Max(1, math.Min(2, factor))
	}
	return remote.Backoff{Duration: first, Factor: factor, Jitter: retryJitter, Steps: retries + 1}
}

// retryPredicate decides for ggcr whether a failed attempt is worth another,
// and logs the ones that are. ggcr asks after the last attempt too, so a
// failed push's final "retrying" line is followed by the error instead.
func retryPredicate(log *slog.Logger, registry string, retries int) func(error) bool {
	return func(err error) bool {
		// With no retries there is no later attempt to announce.
		if retries <= 0 || !retryable(err) {
			return false
		}
		log.Warn("retrying registry request", "registry", registry, "error", oneLine(err.Error()))
		return true
	}
}

// retryable is true for failures that a later attempt may not meet: the
// registry or a proxy failing or restarting, a dropped connection, a
// stalled request. Anything the caller cancelled is final, and a 429 or 503
// reaching ggcr has used up retryBusy's attempts already.
func retryable(err error) bool {
	if err == nil {
		return false
	}
	var te *timeoutError
	if errors.As(err, &te) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var he *transport.Error
	if errors.As(err, &he) {
		return slices.Contains(retryStatusCodes, he.StatusCode)
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

// retryBusy replays a request answered 429 or 503, which ggcr would retry
// without reading Retry-After: it waits what the registry asked (at most
// maxRetryAfter) or the backoff, whichever is longer. A replay is safe for
// any method, as these answers mean the request was not processed.
type retryBusy struct {
	inner   http.RoundTripper
	retries int
	backoff remote.Backoff
	log     *slog.Logger
	// maxAfter caps a Retry-After (maxRetryAfter if zero): hoist waits no
	// longer for a registry that asks than for one that stalls.
	maxAfter time.Duration
}

func (r *retryBusy) RoundTrip(req *http.Request) (*http.Response, error) {
	b := r.backoff // Step counts down a copy, per request
	for attempt := 0; ; attempt++ {
		resp, err := r.inner.RoundTrip(req)
		if err != nil || !isBusy(resp.StatusCode) || attempt >= r.retries || !replayable(req) {
			return resp, err
		}
		wait := b.Step()
		asked, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		if ok {
			limit := maxRetryAfter
			if r.maxAfter > 0 {
				limit = min(limit, r.maxAfter)
			}
			wait = max(wait, min(asked, limit))
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		r.log.Warn("retrying registry request", "registry", req.URL.Host, "status", resp.StatusCode,
			"retry_after", ok, "wait", wait.Round(time.Millisecond))
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
		if req, err = rewind(req); err != nil {
			return nil, err
		}
	}
}

func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// rewind is a copy of req with a fresh body, as a RoundTripper may not
// change the request it was given.
func rewind(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body = body
	return out, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// parseRetryAfter reads either form RFC 9110 allows: delay seconds or an
// HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		// Clamped before the multiplication, which would overflow into a
		// negative wait for a large enough number.
		secs = min(max(secs, 0), 86400)
		return time.Duration(secs) * time.Second, secs > 0
	}
	at, err := http.ParseTime(v)
	if err != nil || !at.After(now) {
		return 0, false
	}
	return at.Sub(now), true
}
