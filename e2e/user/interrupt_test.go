package user

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/ptytest"
)

// slowPackage is a main package that takes the compiler seconds: long
// enough to press Ctrl-C during its compile. The seed keeps go's build
// cache from ever holding it.
func slowPackage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "package main\n\nvar seed = %d\n\n", time.Now().UnixNano())
	for i := range 4000 {
		fmt.Fprintf(&b, "func f%d(x int) int { for j := 0; j < x; j++ { x = x*%d + j ^ seed }; return x }\n", i, i+3)
	}
	b.WriteString("func main() {\n\tx := 1\n")
	for i := range 4000 {
		fmt.Fprintf(&b, "\tx = f%d(x)\n", i)
	}
	b.WriteString("\tprintln(x)\n}\n")
	return b.String()
}

// TestInterruptDuringCompile stops a build while the compiler runs, by
// SIGINT to hoist alone (as `kill -INT` does, with CI's plain progress)
// and by Ctrl-C typed on a terminal (which signals the foreground process
// group, with the live display): hoist must say "interrupted", exit 130,
// publish nothing and leave no go or compile process behind.
func TestInterruptDuringCompile(t *testing.T) {
	// Orphans of hoist's children become this process's children, so one
	// left running is found even after hoist has exited.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)

	t.Run("kill -INT", interruptBySignal)
	t.Run("Ctrl-C on a terminal", interruptOnTerminal)
}

// interruptBySignal sends SIGINT to hoist alone, with plain progress.
func interruptBySignal(t *testing.T) {
	dir := service(t, map[string]string{"main.go": slowPackage()})
	cmd := exec.Command(hoisttest.Binary(t), "build", "--oci-layout", "out", "--progress", "plain")
	cmd.Dir, cmd.Env = dir, userEnv(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen := waitForCompile(t, cmd.Process.Pid)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	checkInterrupted(t, cmd.ProcessState.ExitCode(), lines[len(lines)-1], dir, seen)
	// Plain progress, as in CI: the compile's start is logged at once.
	if !strings.Contains(stderr.String(), "msg=compiling image=hello platform=linux/amd64") {
		t.Errorf("no progress line for the compile's start; stderr:\n%s", stderr.String())
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
}

// interruptOnTerminal types Ctrl-C on hoist's terminal, with the live
// display.
func interruptOnTerminal(t *testing.T) {
	dir := service(t, map[string]string{"main.go": slowPackage()})
	cmd := exec.Command(hoisttest.Binary(t), "build", "--oci-layout", "out")
	cmd.Dir, cmd.Env = dir, userEnv(t)
	const rows, cols = 24, 100
	term, err := ptytest.Start(cmd, rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	seen := waitForCompile(t, cmd.Process.Pid)
	if err := term.Type("\x03"); err != nil {
		t.Fatal(err)
	}
	out, _ := term.Wait()
	screen, err := ptytest.Render(out, rows, cols)
	if err != nil {
		t.Fatalf("rendering %q: %v", out, err)
	}
	last := ""
	if len(screen) > 0 {
		last = screen[len(screen)-1]
	}
	checkInterrupted(t, cmd.ProcessState.ExitCode(), last, dir, seen)
	if !slices.ContainsFunc(screen, func(l string) bool { return strings.HasPrefix(l, "hello linux/amd64") }) {
		t.Errorf("the live display is not on screen:\n%s", strings.Join(screen, "\n"))
	}
}

// checkInterrupted checks what an interrupted build leaves: status 130,
// the message as the last line, no layout and no process of its own.
func checkInterrupted(t *testing.T, code int, lastLine, dir string, seen map[int]proc) {
	t.Helper()
	if code != 130 {
		t.Errorf("exit code %d, want 130", code)
	}
	if lastLine != "hoist: interrupted" {
		t.Errorf("last line = %q, want hoist: interrupted", lastLine)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "index.json")); err == nil {
		t.Error("the interrupted build wrote the OCI layout")
	}
	for pid, p := range seen {
		if now, ok := procs()[pid]; ok && now.start == p.start && now.state != "Z" {
			t.Errorf("%s (pid %d) still runs after hoist exited", p.comm, pid)
		}
	}
	for pid, p := range procs() {
		if p.ppid == os.Getpid() && p.state != "Z" {
			t.Errorf("orphan %s (pid %d) of hoist left behind", p.comm, pid)
		}
	}
}

// waitForCompile polls hoist's process tree until the compiler runs and
// returns every descendant seen.
func waitForCompile(t *testing.T, root int) map[int]proc {
	t.Helper()
	seen := map[int]proc{}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		all := procs()
		compiling := false
		for pid, p := range descendants(all, root) {
			seen[pid] = p
			compiling = compiling || p.comm == "compile"
		}
		if compiling {
			return seen
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the compiler never started")
	return nil
}

type proc struct {
	comm, state string
	ppid        int
	start       uint64
}

// procs reads every process's name, state, parent and start time.
func procs() map[int]proc {
	out := map[int]proc{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(s[end+1:])
		if len(f) < 20 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		start, _ := strconv.ParseUint(f[19], 10, 64)
		out[pid] = proc{comm: s[open+1 : end], state: f[0], ppid: ppid, start: start}
	}
	return out
}

func descendants(all map[int]proc, root int) map[int]proc {
	out := map[int]proc{}
	for changed := true; changed; {
		changed = false
		for pid, p := range all {
			if _, ok := out[pid]; !ok && (p.ppid == root || out[p.ppid].comm != "") {
				out[pid] = p
				changed = true
			}
		}
	}
	return out
}
