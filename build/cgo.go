package build

import (
	"strings"
)

// cgoHint explains go's bare "build constraints exclude all Go files" when
// the cause is likely hoist's CGO_ENABLED=0: a package whose files all
// import "C" has no file left without cgo.
func cgoHint(goOutput string, env []string) string {
	if !strings.Contains(goOutput, "build constraints exclude all Go files") {
		return ""
	}
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, _ := strings.Cut(env[i], "="); k == "CGO_ENABLED" {
			if v != "0" {
				return ""
			}
			break
		}
	}
	return "; no Go files are left without cgo: hoist builds with CGO_ENABLED=0, for a static binary on a base without libc; if the package needs cgo, set CGO_ENABLED=1 in .ko.yaml's defaultEnv or builds[].env and pick a --base that has libc"
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.buf) }
