package runctest

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"golang.org/x/sys/unix"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

const capNetBindService = 10

// netBindCap is security.capability as setcap writes cap_net_bind_service=+ep:
// struct vfs_cap_data revision 2, little-endian, effective bit set.
func netBindCap() string {
	var b [20]byte
	binary.LittleEndian.PutUint32(b[0:], 0x02000000|0x1)
	binary.LittleEndian.PutUint32(b[4:], 1<<capNetBindService)
	return string(b[:])
}

// requirePrivileges skips locally but fails in CI, where a silently skipped
// end-to-end test would hide a broken runner.
func requirePrivileges(t *testing.T, needRunc bool) {
	t.Helper()
	hoisttest.NeedRoot(t)
	if needRunc {
		hoisttest.NeedTools(t, "apt-get install runc", "runc")
	}
}

func buildServer(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "server")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./testdata/server")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building test server: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

type entry struct {
	hdr  tar.Header
	body string
}

func layerOf(t *testing.T, entries ...entry) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		e.hdr.Size = int64(len(e.body))
		e.hdr.Format = tar.FormatPAX
		if err := tw.WriteHeader(&e.hdr); err != nil {
			t.Fatalf("writing %s: %v", e.hdr.Name, err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return layer
}

func imageOf(t *testing.T, cfg v1.Config, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	if img, err = mutate.Config(img, cfg); err != nil {
		t.Fatal(err)
	}
	return img
}

// serverImage is a distroless-shaped image running the test server as
// 65532, optionally with the file capability that lets it bind :80.
func serverImage(t *testing.T, bin []byte, withCap bool) v1.Image {
	t.Helper()
	server := tar.Header{Name: "server", Typeflag: tar.TypeReg, Mode: 0o555}
	if withCap {
		server.PAXRecords = map[string]string{"SCHILY.xattr.security.capability": netBindCap()}
	}
	passwd := "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	layer := layerOf(t,
		entry{hdr: tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777}},
		entry{hdr: tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}},
		entry{hdr: tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644}, body: passwd},
		entry{hdr: server, body: string(bin)},
	)
	return imageOf(t, v1.Config{Entrypoint: []string{"/server"}, User: "65532:65532"}, layer)
}

func start(t *testing.T, img v1.Image, opts Options) *Container {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, img, t.TempDir(), opts)
	if err != nil {
		t.Fatalf("starting container: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("closing container: %v", err)
		}
	})
	return c
}

func TestFileCapabilityLetsNonRootBind(t *testing.T) {
	requirePrivileges(t, true)
	c := start(t, serverImage(t, buildServer(t), true), Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	got, err := unix.Lgetxattr(filepath.Join(c.Bundle, "rootfs", "server"), "security.capability", make([]byte, 64))
	if err != nil || got != 20 {
		t.Fatalf("security.capability on unpacked server: %d bytes, %v", got, err)
	}
	if err := c.WaitHTTP(ctx, 80, "/"); err != nil {
		t.Fatal(err)
	}
	status, body, err := c.Get(ctx, 80, "/")
	if err != nil || status != 200 || !strings.Contains(string(body), "uid 65532") {
		t.Fatalf("GET / = %d %q, %v; want 200 from uid 65532", status, body, err)
	}
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code, err := c.Wait(ctx); err != nil || code != 0 {
		t.Fatalf("exit after SIGTERM = %d, %v; want 0; logs:\n%s", code, err, c.Logs())
	}
}

// TestServerIsRefused: without the file capability the bind is denied; an
// empty bounding set makes the kernel refuse to exec a binary whose
// effective file capabilities cannot be granted, rather than run it without.
func TestServerIsRefused(t *testing.T) {
	requirePrivileges(t, true)
	bin := buildServer(t)
	for _, tc := range []struct {
		name     string
		withCap  bool
		opts     Options
		wantLogs string
	}{
		{"without file capability bind is denied", false, Options{}, "bind: permission denied"},
		{"empty bounding set refuses capable binary", true, Options{Capabilities: &Capabilities{}}, "operation not permitted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := start(t, serverImage(t, bin, tc.withCap), tc.opts)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()

			if err := c.WaitHTTP(ctx, 80, "/"); !errors.Is(err, ErrExited) {
				t.Fatalf("WaitHTTP = %v; want ErrExited", err)
			}
			if code, err := c.Wait(ctx); err != nil || code == 0 {
				t.Fatalf("exit = %d, %v; want non-zero", code, err)
			}
			if logs := c.Logs(); !strings.Contains(logs, tc.wantLogs) {
				t.Fatalf("logs do not report %q:\n%s", tc.wantLogs, logs)
			}
		})
	}
}

func TestUnpack(t *testing.T) {
	requirePrivileges(t, false)
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "secret"), []byte("host"), 0o600); err != nil {
		t.Fatal(err)
	}
	caps := map[string]string{"SCHILY.xattr.security.capability": netBindCap()}
	lower := layerOf(t,
		entry{hdr: tar.Header{Name: "usr/", Typeflag: tar.TypeDir, Mode: 0o755}},
		entry{hdr: tar.Header{Name: "usr/app", Typeflag: tar.TypeReg, Mode: 0o4755, Uid: 65532, Gid: 65533, PAXRecords: caps}, body: "app"},
		entry{hdr: tar.Header{Name: "usr/replaced", Typeflag: tar.TypeReg, Mode: 0o644}, body: "old"},
		entry{hdr: tar.Header{Name: host + "/secret", Typeflag: tar.TypeReg, Mode: 0o600}, body: "image"},
	)
	// Extract streams upper layers first, so the hardlink arrives before
	// its target.
	upper := layerOf(t,
		entry{hdr: tar.Header{Name: "usr/replaced", Typeflag: tar.TypeReg, Mode: 0o644}, body: "new"},
		entry{hdr: tar.Header{Name: "usr/link", Typeflag: tar.TypeLink, Linkname: "usr/app"}},
		entry{hdr: tar.Header{Name: "hostdir", Typeflag: tar.TypeSymlink, Linkname: host}},
		entry{hdr: tar.Header{Name: "leak", Typeflag: tar.TypeLink, Linkname: "hostdir/secret"}},
	)
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	if err := Unpack(t.Context(), imageOf(t, v1.Config{}, lower, upper), rootfs); err != nil {
		t.Fatal(err)
	}

	app := filepath.Join(rootfs, "usr", "app")
	var st unix.Stat_t
	if err := unix.Lstat(app, &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&0o7777 != 0o4755 || st.Uid != 65532 || st.Gid != 65533 {
		t.Errorf("usr/app mode %o owner %d:%d; want 4755 65532:65533", st.Mode&0o7777, st.Uid, st.Gid)
	}
	if n, err := unix.Lgetxattr(app, "security.capability", make([]byte, 64)); err != nil || n != 20 {
		t.Errorf("usr/app security.capability: %d bytes, %v; want 20", n, err)
	}
	if b, err := os.ReadFile(filepath.Join(rootfs, "usr", "replaced")); err != nil || string(b) != "new" {
		t.Errorf("usr/replaced = %q, %v; want the upper layer's content", b, err)
	}
	a, errA := os.Stat(app)
	l, errL := os.Stat(filepath.Join(rootfs, "usr", "link"))
	if errA != nil || errL != nil || !os.SameFile(a, l) {
		t.Errorf("usr/link is not a hardlink of usr/app: %v, %v", errA, errL)
	}
	// The absolute symlink must resolve inside the rootfs, or the hardlink
	// would expose a host file to the container.
	if b, err := os.ReadFile(filepath.Join(rootfs, "leak")); err != nil || string(b) != "image" {
		t.Errorf("leak = %q, %v; want the image's copy of the secret", b, err)
	}
}

func TestResolveInRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.Symlink("../../..", filepath.Join(root, "up")); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"etc/passwd":    "etc/passwd",
		"./etc/passwd":  "etc/passwd",
		"/etc/passwd":   "etc/passwd",
		"up/etc/passwd": "etc/passwd",
		"up":            "up",
	} {
		got, err := resolveInRoot(root, name)
		if err != nil || got != filepath.Join(root, want) {
			t.Errorf("resolveInRoot(%q) = %q, %v; want %q", name, got, err, filepath.Join(root, want))
		}
	}
	for _, name := range []string{"../etc/passwd", "a/../../etc/passwd", "/../etc"} {
		if got, err := resolveInRoot(root, name); err == nil {
			t.Errorf("resolveInRoot(%q) = %q; want an error", name, got)
		}
	}
}
