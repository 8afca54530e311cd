package layers

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// wantCapability is struct vfs_cap_data (linux/capability.h) for
// cap_net_bind_service=+ep, written out by hand: magic_etc =
// VFS_CAP_REVISION_2 (0x02000000) | VFS_CAP_FLAGS_EFFECTIVE (0x1), then
// permitted = 1<<10 and inheritable = 0 for both 32-bit halves, all
// little-endian. `setcap cap_net_bind_service=+ep` writes the same bytes.
var wantCapability = []byte{
	0x01, 0x00, 0x00, 0x02, // magic_etc, LE 0x02000001
	0x00, 0x04, 0x00, 0x00, // permitted[0] = 0x400
	0x00, 0x00, 0x00, 0x00, // inheritable[0]
	0x00, 0x00, 0x00, 0x00, // permitted[1]
	0x00, 0x00, 0x00, 0x00, // inheritable[1]
}

func TestBinary(t *testing.T) {
	src := filepath.Join(t.TempDir(), "app")
	writeFile(t, src, "\x7fELF pretend binary", 0o700)

	e := Binary(src, "app")
	if e.Path != "/ko-app/app" || e.Type != tar.TypeReg || e.Mode != 0o555 || e.Source != src {
		t.Errorf("Binary = %+v", e)
	}

	for _, c := range []Compression{Gzip, Zstd} {
		files := readTar(t, mustNew(t, []Entry{e}, Options{Time: epoch2023, Compression: c}))
		if got := names(files); !reflect.DeepEqual(got, []string{"ko-app/", "ko-app/app"}) {
			t.Fatalf("%s: entries %q", c, got)
		}
		if d := files[0].hdr; d.Mode != 0o755 || d.Uid != 0 || d.Gid != 0 {
			t.Errorf("%s: ko-app/ mode %o owner %d:%d, want 0755 0:0", c, d.Mode, d.Uid, d.Gid)
		}
		h := files[1].hdr
		if h.Mode != 0o555 || h.Uid != 0 || h.Gid != 0 || h.Typeflag != tar.TypeReg {
			t.Errorf("%s: ko-app/app type %q mode %o owner %d:%d, want regular 0555 0:0", c, h.Typeflag, h.Mode, h.Uid, h.Gid)
		}
		if string(files[1].data) != "\x7fELF pretend binary" {
			t.Errorf("%s: contents %q", c, files[1].data)
		}
		capRec, ok := h.PAXRecords["SCHILY.xattr.security.capability"]
		if !ok {
			t.Fatalf("%s: no capability record in %v", c, h.PAXRecords)
		}
		if !bytes.Equal([]byte(capRec), wantCapability) {
			t.Errorf("%s: capability % x, want % x", c, capRec, wantCapability)
		}
		// Decode it the way the kernel does.
		b := []byte(capRec)
		magic := binary.LittleEndian.Uint32(b[0:])
		if magic&0xFF000000 != 0x02000000 || magic&1 == 0 {
			t.Errorf("%s: magic_etc %#x, want revision 2 with the effective flag", c, magic)
		}
		if perm := binary.LittleEndian.Uint32(b[4:]); perm != 1<<10 {
			t.Errorf("%s: permitted %#x, want only CAP_NET_BIND_SERVICE", c, perm)
		}
	}
}

// kodataTree builds a kodata directory and returns its path and the
// directory it lives in.
func kodataTree(t *testing.T) (kodata, parent string) {
	parent = t.TempDir()
	kodata = filepath.Join(parent, "kodata")
	writeFile(t, filepath.Join(kodata, "index.html"), "<h1>hi</h1>", 0o600)
	writeFile(t, filepath.Join(kodata, "run.sh"), "#!/bin/sh\n", 0o744)
	writeFile(t, filepath.Join(kodata, "sub", "deep", "a.txt"), "deep", 0o644)
	if err := os.MkdirAll(filepath.Join(kodata, "empty"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("index.html", filepath.Join(kodata, "link.html")); err != nil {
		t.Fatal(err)
	}
	// Leaves and re-enters kodata: the target is inside, so it is allowed.
	if err := os.Symlink("../kodata/sub/deep/a.txt", filepath.Join(kodata, "roundtrip.txt")); err != nil {
		t.Fatal(err)
	}
	return kodata, parent
}

// kodataHeaders are what kodataTree becomes: owned by root, read-only,
// symlinks resolved.
var kodataHeaders = []wantHeader{
	{name: "var/", typ: tar.TypeDir, mode: 0o755},
	{name: "var/run/", typ: tar.TypeDir, mode: 0o755},
	{name: "var/run/ko/", typ: tar.TypeDir, mode: 0o755},
	{name: "var/run/ko/empty/", typ: tar.TypeDir, mode: 0o755},
	{name: "var/run/ko/index.html", typ: tar.TypeReg, mode: 0o444, data: "<h1>hi</h1>"},
	{name: "var/run/ko/link.html", typ: tar.TypeReg, mode: 0o444, data: "<h1>hi</h1>"},
	{name: "var/run/ko/roundtrip.txt", typ: tar.TypeReg, mode: 0o444, data: "deep"},
	{name: "var/run/ko/run.sh", typ: tar.TypeReg, mode: 0o555, data: "#!/bin/sh\n"},
	{name: "var/run/ko/sub/", typ: tar.TypeDir, mode: 0o755},
	{name: "var/run/ko/sub/deep/", typ: tar.TypeDir, mode: 0o755},
	{name: "var/run/ko/sub/deep/a.txt", typ: tar.TypeReg, mode: 0o444, data: "deep"},
}

func TestKodata(t *testing.T) {
	kodata, parent := kodataTree(t)
	// A symlink to the kodata directory itself is resolved first.
	viaLink := filepath.Join(parent, "kodata-link")
	if err := os.Symlink("kodata", viaLink); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{kodata, viaLink} {
		entries, err := Kodata(dir, parent)
		if err != nil {
			t.Fatalf("Kodata(%s): %v", dir, err)
		}
		files := readTar(t, mustNew(t, entries, Options{Time: epoch2023}))
		got := byName(files)
		var gotNames, wantNames []string
		for n := range got {
			gotNames = append(gotNames, n)
		}
		for _, w := range kodataHeaders {
			wantNames = append(wantNames, w.name)
		}
		sort.Strings(gotNames)
		sort.Strings(wantNames)
		if !reflect.DeepEqual(gotNames, wantNames) {
			t.Fatalf("Kodata(%s) entries %q, want %q", dir, gotNames, wantNames)
		}
		checkHeaders(t, got, kodataHeaders, true)
	}
}

// kodataErrorCases are kodata trees Kodata must refuse: setup spoils the
// tree of kodataTree, and the error names all of want.
var kodataErrorCases = []struct {
	name  string
	setup func(t *testing.T, kodata, parent string)
	want  []string
}{
	{"symlink to a file outside", func(t *testing.T, kodata, parent string) {
		writeFile(t, filepath.Join(parent, "secret"), "host file", 0o644)
		mustSymlink(t, "../secret", filepath.Join(kodata, "secret"))
	}, []string{"reading kodata", "symlink secret points outside kodata"}},
	{"absolute symlink outside", func(t *testing.T, kodata, parent string) {
		writeFile(t, filepath.Join(parent, "host"), "host file", 0o644)
		mustSymlink(t, filepath.Join(parent, "host"), filepath.Join(kodata, "sub", "host"))
	}, []string{"sub/host", "outside kodata"}},
	{"symlink into a sibling sharing the prefix", func(t *testing.T, kodata, parent string) {
		writeFile(t, filepath.Join(parent, "kodata2", "f"), "x", 0o644)
		mustSymlink(t, "../kodata2/f", filepath.Join(kodata, "f"))
	}, []string{"outside kodata"}},
	{"symlink to a directory inside", func(t *testing.T, kodata, parent string) {
		mustSymlink(t, "sub", filepath.Join(kodata, "sublink"))
	}, []string{"sublink points to a directory"}},
	{"dangling symlink", func(t *testing.T, kodata, parent string) {
		mustSymlink(t, "nowhere", filepath.Join(kodata, "dangling"))
	}, []string{"reading kodata", "nowhere"}},
	{"FIFO", func(t *testing.T, kodata, parent string) {
		if err := syscall.Mkfifo(filepath.Join(kodata, "sub", "pipe"), 0o644); err != nil {
			t.Fatal(err)
		}
	}, []string{"sub/pipe is a FIFO"}},
	{"symlink to a FIFO", func(t *testing.T, kodata, parent string) {
		if err := syscall.Mkfifo(filepath.Join(kodata, "pipe"), 0o644); err != nil {
			t.Fatal(err)
		}
		mustSymlink(t, "pipe", filepath.Join(kodata, "a-link"))
	}, []string{"a-link is a FIFO"}},
	{"socket", func(t *testing.T, kodata, parent string) {
		l, err := net.Listen("unix", filepath.Join(kodata, "sock"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
	}, []string{"sock is a socket"}},
	{"symlink to a device", func(t *testing.T, kodata, parent string) {
		mustSymlink(t, "/dev/null", filepath.Join(kodata, "null"))
	}, []string{"null points outside kodata"}},
}

func TestKodataErrors(t *testing.T) {
	for _, tt := range kodataErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			kodata, parent := kodataTree(t)
			tt.setup(t, kodata, parent)
			entries, err := Kodata(kodata, parent)
			if err == nil {
				t.Fatalf("Kodata succeeded with %d entries, want error", len(entries))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}

	missing := filepath.Join(t.TempDir(), "kodata")
	if _, err := Kodata(missing, filepath.Dir(missing)); err == nil || !strings.Contains(err.Error(), "reading kodata "+missing) {
		t.Errorf("Kodata of a missing directory: error %v, want one naming it", err)
	}
}

// TestKodataRootConfinement: kodata may be a symlink to a directory of the
// module (a web build output), never to one outside it.
func TestKodataRootConfinement(t *testing.T) {
	_, parent := kodataTree(t)
	module := filepath.Join(parent, "mod")
	writeFile(t, filepath.Join(module, "web", "dist", "index.html"), "<h1>web</h1>", 0o644)
	writeFile(t, filepath.Join(module, "go.mod"), "module example.com/m\n", 0o644)
	inside := filepath.Join(module, "cmd", "app", "kodata")
	if err := os.MkdirAll(filepath.Dir(inside), 0o755); err != nil {
		t.Fatal(err)
	}
	mustSymlink(t, "../../web/dist", inside)
	entries, err := Kodata(inside, module)
	if err != nil {
		t.Fatalf("kodata -> ../../web/dist inside the module: %v", err)
	}
	if got := len(entries); got != 2 || entries[1].Path != KodataPath+"/index.html" {
		t.Errorf("entries %+v, want the kodata dir and index.html", entries)
	}

	// The host directory the link points at holds a "credential".
	writeFile(t, filepath.Join(parent, "creds", "token"), "secret", 0o600)
	for name, target := range map[string]string{
		"relative": "../../../creds",
		"absolute": filepath.Join(parent, "creds"),
		"root":     "/",
	} {
		t.Run(name, func(t *testing.T) {
			outside := filepath.Join(module, "cmd", name, "kodata")
			if err := os.MkdirAll(filepath.Dir(outside), 0o755); err != nil {
				t.Fatal(err)
			}
			mustSymlink(t, target, outside)
			entries, err := Kodata(outside, module)
			if err == nil {
				t.Fatalf("kodata -> %s accepted with %d entries, want a refusal", target, len(entries))
			}
			if msg := err.Error(); !strings.Contains(msg, outside) || !strings.Contains(msg, "outside the module") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s and saying it is outside the module", msg, outside)
			}
		})
	}
	// A module path that is itself a symlink is resolved before comparing.
	modLink := filepath.Join(parent, "modlink")
	mustSymlink(t, "mod", modLink)
	if _, err := Kodata(filepath.Join(modLink, "cmd", "app", "kodata"), modLink); err != nil {
		t.Errorf("module reached through a symlink: %v", err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
