package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLeases checks the address bookkeeping the probe bridge relies on:
// distinct addresses per container, the same one again for a repeated ADD,
// the file naming the netns, and a released address given to the next.
func TestLeases(t *testing.T) {
	dir := t.TempDir()
	steps := []struct {
		op, id, want string
	}{
		{"lease", "a", "127.1.0.2"},
		{"lease", "b", "127.1.0.3"},
		{"lease", "a", "127.1.0.2"},
		{"release", "a", ""},
		{"lease", "c", "127.1.0.2"},
		{"release", "unknown", ""},
	}
	for _, s := range steps {
		switch s.op {
		case "lease":
			ip, err := lease(dir, s.id, "/run/netns/"+s.id)
			if err != nil || ip != s.want {
				t.Fatalf("lease(%s) = %q, %v; want %q", s.id, ip, err, s.want)
			}
			b, err := os.ReadFile(filepath.Join(dir, ip))
			if err != nil || string(b) != s.id+"\n/run/netns/"+s.id+"\n" {
				t.Fatalf("lease file %s = %q, %v", ip, b, err)
			}
		case "release":
			if err := release(dir, s.id); err != nil {
				t.Fatalf("release(%s): %v", s.id, err)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "127.1.0.2 127.1.0.3" {
		t.Errorf("leases left = %s, want 127.1.0.2 127.1.0.3", got)
	}
}
