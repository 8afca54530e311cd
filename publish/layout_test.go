package publish

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

func TestNewLayout(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T) string
		tags    []string
		wantErr string
	}{
		{"missing directory", func(t *testing.T) string { return filepath.Join(t.TempDir(), "a", "b") }, nil, ""},
		{"empty directory", func(t *testing.T) string { return t.TempDir() }, []string{"v1"}, ""},
		{"existing layout", func(t *testing.T) string {
			dir := t.TempDir()
			if _, err := (&Layout{Dir: dir}).Publish(context.Background(), "app", randomImage(t)); err != nil {
				t.Fatal(err)
			}
			return dir
		}, nil, ""},
		{"unrelated directory", func(t *testing.T) string {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
			return dir
		}, nil, "not an OCI image layout"},
		{"a file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}, nil, "opening OCI layout"},
		{"bad tag", func(t *testing.T) string { return t.TempDir() }, []string{"v1", ".hidden"}, `invalid tag ".hidden"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t)
			before, _ := os.ReadDir(dir)
			l, err := NewLayout(dir, tt.tags)
			if hoisttest.WantError(t, err, tt.wantErr) {
				return
			}
			if l.Dir != dir || !reflect.DeepEqual(l.Tags, tt.tags) {
				t.Errorf("NewLayout = %+v", l)
			}
			// Validation writes nothing: a later failed build leaves no trace.
			if after, _ := os.ReadDir(dir); len(after) != len(before) {
				t.Errorf("NewLayout changed %s: %d entries, had %d", dir, len(after), len(before))
			}
		})
	}
}

// refs maps each ref.name annotation of dir's index.json to its entries,
// and returns the index to read them back from.
func refs(t *testing.T, dir string) (v1.ImageIndex, map[string][]v1.Descriptor) {
	t.Helper()
	idx, im := registrytest.LayoutIndex(t, dir)
	out := map[string][]v1.Descriptor{}
	for _, d := range im.Manifests {
		out[d.Annotations[RefNameAnnotation]] = append(out[d.Annotations[RefNameAnnotation]], d)
	}
	return idx, out
}

func newLayout(t *testing.T, dir string, tags []string) *Layout {
	t.Helper()
	l, err := NewLayout(dir, tags)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLayoutPublishImage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	l := newLayout(t, dir, []string{"v1", "latest"})
	first, second, other := randomImage(t), randomImage(t), randomImage(t)
	for _, p := range []struct {
		name string
		img  v1.Image
	}{{"app", first}, {"app", second}, {"other", other}} {
		got, err := l.Publish(context.Background(), p.name, p.img)
		if err != nil {
			t.Fatalf("Publish(%s): %v", p.name, err)
		}
		if want := dir + "@" + digest(t, p.img).String(); got != want {
			t.Errorf("Publish(%s) = %q, want %q", p.name, got, want)
		}
	}
	idx, r := refs(t, dir)
	var keys []string
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"app:latest", "app:v1", "other:latest", "other:v1"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("index.json refs %q, want %q", keys, want)
	}
	want := map[string]v1.Image{"app:latest": second, "app:v1": second, "other:latest": other, "other:v1": other}
	for ref, img := range want {
		checkLayoutRef(t, idx, ref, r[ref], img)
	}
}

// checkLayoutRef: ref has one entry in index.json (a new publish replaces,
// not adds), naming img for Docker and containerd, and img reads back.
func checkLayoutRef(t *testing.T, idx v1.ImageIndex, ref string, descs []v1.Descriptor, img v1.Image) {
	t.Helper()
	if len(descs) != 1 {
		t.Errorf("%s has %d entries, want 1 (replaced, not added)", ref, len(descs))
		return
	}
	d := descs[0]
	if d.Digest != digest(t, img) || d.MediaType != types.DockerManifestSchema2 {
		t.Errorf("%s -> %s %s, want %s", ref, d.Digest, d.MediaType, digest(t, img))
	}
	if d.Annotations["io.containerd.image.name"] != ref {
		t.Errorf("%s: containerd name %q", ref, d.Annotations["io.containerd.image.name"])
	}
	back, err := idx.Image(d.Digest)
	if err != nil {
		t.Fatalf("reading %s back: %v", ref, err)
	}
	if digest(t, back) != digest(t, img) {
		t.Errorf("%s read back as %s", ref, digest(t, back))
	}
	if err := validate.Image(back); err != nil {
		t.Errorf("%s: validate.Image: %v", ref, err)
	}
}

func TestLayoutPublishDefaultTag(t *testing.T) {
	dir := t.TempDir()
	img := randomImage(t)
	if _, err := (&Layout{Dir: dir}).Publish(context.Background(), "app", img); err != nil {
		t.Fatal(err)
	}
	_, r := refs(t, dir)
	if len(r) != 1 || len(r["app:latest"]) != 1 || r["app:latest"][0].Digest != digest(t, img) {
		t.Errorf("refs %v, want only app:latest", r)
	}
}

func TestLayoutPublishIndex(t *testing.T) {
	dir := t.TempDir()
	idx, imgs := platformIndex(t, v1.Platform{OS: "linux", Architecture: "amd64"}, v1.Platform{OS: "linux", Architecture: "arm64"})
	got, err := (&Layout{Dir: dir, Tags: []string{"v1"}}).Publish(context.Background(), "app", idx)
	if err != nil {
		t.Fatal(err)
	}
	if want := dir + "@" + digest(t, idx).String(); got != want {
		t.Errorf("Publish = %q, want %q", got, want)
	}
	back, r := refs(t, dir)
	descs := r["app:v1"]
	if len(descs) != 1 || descs[0].MediaType != types.OCIImageIndex || descs[0].Digest != digest(t, idx) {
		t.Fatalf("app:v1 entries %+v, want the index", descs)
	}
	child, err := back.ImageIndex(descs[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(child); err != nil {
		t.Fatalf("validate.Index: %v", err)
	}
	for plat, img := range imgs {
		back, err := child.Image(digest(t, img))
		if err != nil {
			t.Errorf("%s image not in the layout: %v", plat, err)
			continue
		}
		if err := validate.Image(back); err != nil {
			t.Errorf("%s: validate.Image: %v", plat, err)
		}
	}
}

func TestLayoutPublishErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := (&Layout{Dir: dir}).Publish(context.Background(), "app", randomImage(t))
	if err == nil || !strings.Contains(err.Error(), "not an OCI image layout") {
		t.Errorf("Publish into a project directory: error %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("Publish wrote into a non-layout directory: %d entries", len(entries))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&Layout{Dir: t.TempDir()}).Publish(ctx, "app", randomImage(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: error %v", err)
	}
}

// TestLayoutModes: every file of the layout, blobs included, is readable
// by all (0644), whatever umask hoist runs under.
func TestLayoutModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := newLayout(t, dir, nil).Publish(context.Background(), "app", randomImage(t)); err != nil {
		t.Fatal(err)
	}
	blobs := 0
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		if strings.Contains(p, "blobs") {
			blobs++
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %o, want 644", p, fi.Mode().Perm())
		}
		return nil
	})
	if err != nil || blobs < 3 {
		t.Fatalf("walking the layout: %v, %d blobs", err, blobs)
	}
}
