package publish

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

func TestNewTarball(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		path    string
		tags    []string
		wantErr string
	}{
		{"in an existing directory", filepath.Join(dir, "img.tar"), nil, ""},
		{"replacing a file", file, []string{"v1"}, ""},
		{"missing directory", filepath.Join(dir, "missing", "img.tar"), nil, "does not exist"},
		{"parent is a file", filepath.Join(file, "img.tar"), nil, "does not exist"},
		{"bad tag", filepath.Join(dir, "img.tar"), []string{"-x"}, `invalid tag "-x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := NewTarball(tt.path, "ghcr.io/acme", tt.tags)
			if hoisttest.WantError(t, err, tt.wantErr) {
				return
			}
			if tb.Path != tt.path {
				t.Fatalf("NewTarball = %+v, %v", tb, err)
			}
		})
	}
}

// leftovers lists the files in dir other than keep.
func leftovers(t *testing.T, dir string, keep ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !slices.Contains(keep, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestTarballPublish(t *testing.T) {
	tests := []struct {
		name     string
		repo     string
		tags     []string
		wantTags []string
	}{
		{"repo and tags", "ghcr.io/acme", []string{"v1", "latest"}, []string{"ghcr.io/acme/app:latest", "ghcr.io/acme/app:v1"}},
		{"default tag", "registry.example.com:5000/team", nil, []string{"registry.example.com:5000/team/app:latest"}},
		{"no repo", "", []string{"v2"}, []string{"app:v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "img.tar")
			if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
				t.Fatal(err)
			}
			tb, err := NewTarball(path, tt.repo, tt.tags)
			if err != nil {
				t.Fatal(err)
			}
			img := randomImage(t)
			got, err := tb.Publish(context.Background(), "app", img)
			if err != nil {
				t.Fatal(err)
			}
			archive, err := ArchiveDigest(img)
			if err != nil {
				t.Fatal(err)
			}
			if want := path + "@" + archive.String(); got != want {
				t.Errorf("Publish = %q, want %q", got, want)
			}
			if left := leftovers(t, dir, "img.tar"); len(left) != 0 {
				t.Errorf("temporary files left behind: %q", left)
			}

			checkTarball(t, path, tt.wantTags, img)
		})
	}
}

// checkTarball: the tarball at path lists img once, under tags, and img
// reads back under each.
func checkTarball(t *testing.T, path string, tags []string, img v1.Image) {
	t.Helper()
	m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(path) })
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 1 {
		t.Fatalf("manifest.json has %d entries, want 1", len(m))
	}
	gotTags := append([]string(nil), m[0].RepoTags...)
	sort.Strings(gotTags)
	if strings.Join(gotTags, " ") != strings.Join(tags, " ") {
		t.Errorf("RepoTags %q, want %q", gotTags, tags)
	}
	for _, tag := range tags {
		ref, err := name.NewTag(tag)
		if err != nil {
			t.Fatal(err)
		}
		back, err := tarball.ImageFromPath(path, &ref)
		if err != nil {
			t.Fatalf("reading %s back: %v", tag, err)
		}
		if digest(t, back) != digest(t, img) {
			t.Errorf("%s read back as %s, want %s", tag, digest(t, back), digest(t, img))
		}
		if err := validate.Image(back); err != nil {
			t.Errorf("validate.Image(%s): %v", tag, err)
		}
	}
}

func TestTarballPublishRefusesIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "img.tar")
	idx, _ := platformIndex(t)
	_, err := (&Tarball{Path: path}).Publish(context.Background(), "app", idx)
	if err == nil || !strings.Contains(err.Error(), "one platform") {
		t.Errorf("Publish(index) error %v, want one explaining a tarball holds one platform", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Publish(index) created %s", path)
	}
}

func TestTarballPublishFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "img.tar")
	if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := (&Tarball{Path: path, Tags: []string{"v1"}}).Publish(context.Background(), "app", brokenImage(t))
	if err == nil || !errors.Is(err, errBlob) || !strings.Contains(err.Error(), "writing tarball "+path) {
		t.Fatalf("Publish error %v, want a writing tarball error wrapping the blob error", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "previous" {
		t.Errorf("existing tarball now %q (%v), want it untouched", b, err)
	}
	if left := leftovers(t, dir, "img.tar"); len(left) != 0 {
		t.Errorf("temporary files left behind: %q", left)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&Tarball{Path: path}).Publish(ctx, "app", randomImage(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: error %v", err)
	}
}
