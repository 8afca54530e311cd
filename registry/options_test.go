package registry

import (
	"testing"
	"time"
)

// TestZeroMeansNone: as on the command line, a zero (or negative) Timeout
// or Retries is none, never a default the library picks.
func TestZeroMeansNone(t *testing.T) {
	tests := []struct {
		opts        Options
		wantTimeout bool
		wantRetries int
	}{
		{Options{}, false, 0},
		{Options{Timeout: -1, Retries: -1}, false, 0},
		{Options{Timeout: DefaultTimeout, Retries: DefaultRetries}, true, DefaultRetries},
		{Options{Timeout: time.Second, Retries: 1}, true, 1},
	}
	for _, tt := range tests {
		rt, err := tt.opts.roundTripper()
		if err != nil {
			t.Fatal(err)
		}
		busy, ok := rt.(*retryBusy)
		if !ok {
			t.Fatalf("%+v: the stack starts with %T, want the 429/503 replays", tt.opts, rt)
		}
		_, stall := busy.inner.(*stallTimeout)
		if stall != tt.wantTimeout || busy.retries != tt.wantRetries || busy.backoff.Steps != tt.wantRetries+1 {
			t.Errorf("%+v: stall timeout %v, %d retries (%d steps); want %v, %d", tt.opts, stall, busy.retries, busy.backoff.Steps, tt.wantTimeout, tt.wantRetries)
		}
	}
}
