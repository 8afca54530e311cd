package workdir

import (
	"bufio"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var quiet = slog.New(slog.DiscardHandler)

// TestMain doubles as a hoist run that locks a work directory and is then
// killed: with WORKDIR_HOLD set, the process locks that directory, says so
// and waits to be killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("WORKDIR_HOLD"); dir != "" {
		if _, err := lock(filepath.Join(dir, lockName)); err != nil {
			os.Exit(2)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Hour)
	}
	os.Exit(m.Run())
}

// runDir makes a work directory named name under tmp, as a run leaves it,
// with or without its lock file, last modified at mtime.
func runDir(t *testing.T, tmp, name string, mtime time.Time, withLock bool) string {
	t.Helper()
	dir := filepath.Join(tmp, name)
	if err := os.MkdirAll(filepath.Join(dir, "key", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if withLock {
		if err := os.WriteFile(filepath.Join(dir, lockName), []byte("1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(dir, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return dir
}

// holdLock starts a process (this test binary, see TestMain) that locks dir
// and returns once it has; kill SIGKILLs it, leaving it no chance to clean up.
func holdLock(t *testing.T, dir string) (kill func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "WORKDIR_HOLD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("holder said %q", line)
	}
	kill = sync.OnceFunc(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	t.Cleanup(kill) // a failing test must not leave the holder sleeping
	return kill
}

func TestSweep(t *testing.T) {
	tmp := t.TempDir()
	old := time.Now().Add(-10 * time.Minute)
	ancient := time.Now().Add(-7 * time.Hour)
	killed := runDir(t, tmp, Prefix+"1", old, false)
	kill := holdLock(t, killed)
	live := runDir(t, tmp, Prefix+"2", old, false)
	unlock, err := lock(filepath.Join(live, lockName))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	// While the holder runs, its directory stays, however old.
	if err := os.Chtimes(killed, old, old); err != nil {
		t.Fatal(err)
	}
	Sweep(tmp, quiet)
	if _, err := os.Stat(killed); err != nil {
		t.Fatalf("the directory of a live run was removed: %v", err)
	}
	kill()
	if err := os.Chtimes(killed, old, old); err != nil {
		t.Fatal(err)
	}

	want := map[string]bool{
		killed: false,
		live:   true,
		runDir(t, tmp, Prefix+"3", time.Now(), true):     true,  // just created, lock not yet taken
		runDir(t, tmp, Prefix+"4", old, false):           false, // died before locking
		runDir(t, tmp, "hoist-12345", ancient, false):    false, // a run of an older hoist
		runDir(t, tmp, "hoist-67890", old, false):        true,  // too young to tell
		runDir(t, tmp, "hoist-faults-1", ancient, false): true,
		runDir(t, tmp, "other", ancient, false):          true,
	}
	Sweep(tmp, quiet)
	for dir, keep := range want {
		_, err := os.Stat(dir)
		if exists := err == nil; exists != keep {
			t.Errorf("%s: exists %v, want %v", filepath.Base(dir), exists, keep)
		}
	}
}

func TestNew(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir, release, err := New(quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tryLock(filepath.Join(dir, lockName)); err == nil {
		t.Errorf("the new work directory's lock is free")
	}
	Sweep(os.TempDir(), quiet)
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("a sweep removed the live work directory: %v", err)
	}
	release()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("release left %s: %v", dir, err)
	}
}
