package hoisttest

import (
	"fmt"
	"testing"
)

// outcome records what Need asked of a test instead of ending it.
type outcome struct {
	testing.TB
	fatal, skip string
}

func (o *outcome) Helper()                      {}
func (o *outcome) Fatalf(f string, args ...any) { o.fatal = fmt.Sprintf(f, args...) }
func (o *outcome) Skipf(f string, args ...any)  { o.skip = fmt.Sprintf(f, args...) }

// TestNeed: what is missing skips the test on a developer's machine and
// fails it in CI; what is there does neither.
func TestNeed(t *testing.T) {
	for _, tc := range []struct {
		ci        string
		ok        bool
		fail, skp bool
	}{{"", false, false, true}, {"true", false, true, false}, {"true", true, false, false}, {"", true, false, false}} {
		t.Setenv("CI", tc.ci)
		o := &outcome{TB: t}
		Need(o, tc.ok, "a tool")
		if (o.fatal != "") != tc.fail || (o.skip != "" && o.fatal == "") != tc.skp {
			t.Errorf("CI=%q ok=%v: failed %q, skipped %q", tc.ci, tc.ok, o.fatal, o.skip)
		}
	}
}

func TestNeedToolsFindsPaths(t *testing.T) {
	got := NeedTools(t, "install Go", "go")
	if got["go"] == "" {
		t.Errorf("NeedTools(go) = %v, want go's path", got)
	}
}
