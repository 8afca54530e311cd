package workdir

import (
	"bufio"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
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

func TestSweep(t *testing.T) {
	tmp := t.TempDir()
	old := time.Now().Add(-10 * time.Minute)
	ancient := time.Now().Add(-7 * time.Hour)
	mk := func(name string, mtime time.Time, withLock bool) string {
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
	killed := mk(Prefix+"1", old, false)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "WORKDIR_HOLD="+killed)
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
	live := mk(Prefix+"2", old, false)
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
	cmd.Process.Kill() // SIGKILL: no chance to clean up
	cmd.Wait()
	if err := os.Chtimes(killed, old, old); err != nil {
		t.Fatal(err)
	}

	want := map[string]bool{
		killed:                               false,
		live:                                 true,
		mk(Prefix+"3", time.Now(), true):     true,  // just created, lock not yet taken
		mk(Prefix+"4", old, false):           false, // died before locking
		mk("hoist-12345", ancient, false):    false, // a run of an older hoist
		mk("hoist-67890", old, false):        true,  // too young to tell
		mk("hoist-faults-1", ancient, false): true,
		mk("other", ancient, false):          true,
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
