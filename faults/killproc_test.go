package faults_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// watched is a hoist process whose stderr is watched for the start of the
// push ("msg=pushing" in its log).
type watched struct {
	cmd     *exec.Cmd
	start   time.Time
	stderr  *bytes.Buffer
	pushing chan time.Time // receives once, when the push starts
	done    chan error
}

// runTimes are how long a run took, in all and from the push's start.
type runTimes struct {
	total, push time.Duration
	finished    bool
}

// startHoist starts hoist in its own process group, so that a kill reaches
// the go build it runs too.
func startHoist(t *testing.T, env []string, args ...string) *watched {
	t.Helper()
	cmd := exec.Command(hoisttest.Binary(t), args...)
	cmd.Dir = hoisttest.Root(t)
	cmd.Env = append(hermeticEnv(t), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	w := &watched{cmd: cmd, stderr: &bytes.Buffer{}, pushing: make(chan time.Time, 1), done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.start = time.Now()
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			w.stderr.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "msg=pushing") {
				select {
				case w.pushing <- time.Now():
				default: // only the first push start matters
				}
			}
		}
		w.done <- cmd.Wait()
	}()
	return w
}

// wait lets the run finish and times it.
func (w *watched) wait(t *testing.T) runTimes {
	t.Helper()
	var pushStart time.Time
	for {
		select {
		case pushStart = <-w.pushing:
		case err := <-w.done:
			end := time.Now()
			if err != nil || pushStart.IsZero() {
				return runTimes{}
			}
			return runTimes{total: end.Sub(w.start), push: end.Sub(pushStart), finished: true}
		}
	}
}

// killAfter SIGKILLs the process group delay after the start, or after the
// push's start when inPush is set. It reports whether the kill came before
// hoist ended.
func (w *watched) killAfter(t *testing.T, delay time.Duration, inPush bool) bool {
	t.Helper()
	from := w.start
	if inPush {
		select {
		case from = <-w.pushing:
		case err := <-w.done:
			t.Fatalf("hoist ended before pushing: %v\n%s", err, w.stderr.String())
		}
	}
	timer := time.NewTimer(time.Until(from.Add(delay)))
	defer timer.Stop()
	select {
	case err := <-w.done:
		if err != nil {
			t.Fatalf("hoist failed on its own: %v\n%s", err, w.stderr.String())
		}
		return false
	case <-timer.C:
	}
	// The negative pid names the group: hoist and the go build it runs.
	if err := syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-w.done
	ws, ok := w.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}
