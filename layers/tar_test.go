package layers

import (
	"archive/tar"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// sampleEntries mixes every entry kind, in-memory and streamed contents,
// explicit and implied directories.
func sampleEntries(t *testing.T) []Entry {
	src := filepath.Join(t.TempDir(), "blob")
	writeFile(t, src, "streamed from disk", 0o644)
	return []Entry{
		File("/etc/passwd", 0o644, []byte("root:x:0:0::/root:/sbin/nologin\n")),
		Dir("/home/nonroot", 0o700, NonRoot, NonRoot),
		{Path: "/usr/bin/tool", Type: tar.TypeReg, Mode: 0o555, Source: src},
		{Path: "/usr/bin/alias", Type: tar.TypeSymlink, Mode: 0o777, Linkname: "tool"},
		File("/a-b", 0o600, []byte("sorts between /a and /a/")),
		File("/a/z", 0o644, nil),
	}
}

func permutations(entries []Entry) map[string][]Entry {
	rev := make([]Entry, len(entries))
	for i, e := range entries {
		rev[len(entries)-1-i] = e
	}
	rot := append(append([]Entry(nil), entries[2:]...), entries[:2]...)
	return map[string][]Entry{"given": entries, "reversed": rev, "rotated": rot}
}

func TestNewIsDeterministic(t *testing.T) {
	for _, c := range []Compression{Gzip, Zstd} {
		t.Run(string(c), func(t *testing.T) {
			entries := sampleEntries(t)
			opts := Options{Time: epoch2023, Compression: c}
			wantDigest, wantDiffID := digests(t, mustNew(t, entries, opts))
			for name, perm := range permutations(entries) {
				for _, dir := range []string{"", t.TempDir()} {
					opts.Dir = dir
					d, id := digests(t, mustNew(t, perm, opts))
					if d != wantDigest || id != wantDiffID {
						t.Errorf("%s order, Dir=%q: digest %s diffID %s, want %s %s", name, dir, d, id, wantDigest, wantDiffID)
					}
				}
			}
		})
	}
}

func TestNewTimeChangesDigest(t *testing.T) {
	for _, c := range []Compression{Gzip, Zstd} {
		t.Run(string(c), func(t *testing.T) {
			entries := sampleEntries(t)
			d1, id1 := digests(t, mustNew(t, entries, Options{Time: epoch2023, Compression: c}))
			d2, id2 := digests(t, mustNew(t, entries, Options{Time: epoch2023.Add(time.Second), Compression: c}))
			if d1 == d2 || id1 == id2 {
				t.Errorf("a different Time gave the same layer: digests %s %s, diffIDs %s %s", d1, d2, id1, id2)
			}
		})
	}
}

func TestNewHeaders(t *testing.T) {
	l := mustNew(t, sampleEntries(t), Options{Time: epoch2023})
	files := readTar(t, l)
	checkSortedNames(t, files)
	for _, f := range files {
		h := f.hdr
		if h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: Uname %q Gname %q, want empty", h.Name, h.Uname, h.Gname)
		}
		if !h.ModTime.Equal(epoch2023) {
			t.Errorf("%s: ModTime %v, want %v", h.Name, h.ModTime, epoch2023)
		}
		if !h.AccessTime.IsZero() || !h.ChangeTime.IsZero() {
			t.Errorf("%s: atime %v ctime %v, want none", h.Name, h.AccessTime, h.ChangeTime)
		}
	}
	checkHeaders(t, byName(files), sampleHeaders, true)
}

// checkSortedNames: the sample's entries, sorted by path.
func checkSortedNames(t *testing.T, files []tarFile) {
	t.Helper()
	want := []string{"a/", "a/z", "a-b", "etc/", "etc/passwd", "home/", "home/nonroot/", "usr/", "usr/bin/", "usr/bin/alias", "usr/bin/tool"}
	gotSorted := names(files)
	sort.Slice(gotSorted, func(i, j int) bool {
		return strings.TrimSuffix(gotSorted[i], "/") < strings.TrimSuffix(gotSorted[j], "/")
	})
	if !reflect.DeepEqual(names(files), gotSorted) {
		t.Errorf("entries not sorted by path: %q", names(files))
	}
	got := append([]string(nil), names(files)...)
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries = %q, want %q", got, want)
	}
}

// sampleHeaders are what sampleEntries become.
var sampleHeaders = []wantHeader{
	{"a/", tar.TypeDir, 0o755, 0, 0, "", ""},
	{"usr/", tar.TypeDir, 0o755, 0, 0, "", ""},
	{"usr/bin/", tar.TypeDir, 0o755, 0, 0, "", ""},
	{"home/nonroot/", tar.TypeDir, 0o700, NonRoot, NonRoot, "", ""},
	{"etc/passwd", tar.TypeReg, 0o644, 0, 0, "root:x:0:0::/root:/sbin/nologin\n", ""},
	{"usr/bin/tool", tar.TypeReg, 0o555, 0, 0, "streamed from disk", ""},
	{"usr/bin/alias", tar.TypeSymlink, 0o777, 0, 0, "", "tool"},
	{"a-b", tar.TypeReg, 0o600, 0, 0, "sorts between /a and /a/", ""},
	{"a/z", tar.TypeReg, 0o644, 0, 0, "", ""},
}

func TestNewNormalizesPaths(t *testing.T) {
	entries := []Entry{
		Dir("/", 0o700, 0, 0), // the root itself is never an entry
		File("/x/./y/../z", 0o644, []byte("z")),
		Dir("/x/", 0o711, 0, 0), // explicit mode wins over the implied 0755
	}
	files := readTar(t, mustNew(t, entries, Options{Time: epoch2023}))
	if got, want := names(files), []string{"x/", "x/z"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("entries = %q, want %q", got, want)
	}
	if files[0].hdr.Mode != 0o711 {
		t.Errorf("x/ mode %o, want the given 0711", files[0].hdr.Mode)
	}
}

func TestNewRejectsBadEntries(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		want    []string
	}{
		{"duplicate", []Entry{File("/a", 0o644, nil), File("/a", 0o600, nil)}, []string{`"/a"`, "appears twice"}},
		{"duplicate after cleaning", []Entry{Dir("/a", 0o755, 0, 0), Dir("/b/../a/", 0o755, 0, 0)}, []string{"appears twice"}},
		{"relative", []Entry{File("etc/passwd", 0o644, nil)}, []string{`"etc/passwd"`, "must be absolute"}},
		{"empty path", []Entry{File("", 0o644, nil)}, []string{"must be absolute"}},
		{"missing source", []Entry{{Path: "/bin/app", Type: tar.TypeReg, Mode: 0o555, Source: "/nonexistent/hoist-test"}}, []string{"writing /bin/app", "/nonexistent/hoist-test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, dir := range []string{"", t.TempDir()} {
				l, err := New(context.Background(), tt.entries, Options{Time: epoch2023, Dir: dir})
				if err == nil {
					t.Fatalf("Dir=%q: New succeeded with layer %v, want error", dir, l)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("Dir=%q: error %q does not mention %q", dir, err, w)
					}
				}
				if dir != "" {
					if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
						t.Errorf("failed New left files behind: %q", left)
					}
				}
			}
		})
	}
}

func TestNewCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(ctx, []Entry{File("/a", 0o644, nil)}, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("New with a canceled context: error %v, want context.Canceled", err)
	}
}

func TestNewDoesNotModifyEntries(t *testing.T) {
	entries := []Entry{File("/b/./c", 0o644, nil), File("/a", 0o644, nil)}
	mustNew(t, entries, Options{})
	if entries[0].Path != "/b/./c" || entries[1].Path != "/a" || len(entries) != 2 {
		t.Errorf("New changed its input: %+v", entries)
	}
}
