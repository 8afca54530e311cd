package layers

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// epoch2023 is a whole-second time: tar headers keep seconds only.
var epoch2023 = time.Unix(1700000000, 0)

// tarFile is one entry read back from a layer.
type tarFile struct {
	hdr  *tar.Header
	data []byte
}

// compressedBytes returns the layer blob exactly as a registry would store it.
func compressedBytes(t *testing.T, l v1.Layer) []byte {
	t.Helper()
	rc := hoisttest.Must(t, l.Compressed)
	defer rc.Close()
	return readAll(t, rc)
}

func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading layer: %v", err)
	}
	return b
}

// decompress undoes the compression with a decoder independent of the
// layer's own Uncompressed: the standard library's gzip, or zstd.
func decompress(t *testing.T, l v1.Layer) []byte {
	t.Helper()
	blob := compressedBytes(t, l)
	mt := hoisttest.Must(t, l.MediaType)
	var r io.Reader
	switch mt {
	case types.OCILayer:
		zr, err := gzip.NewReader(bytes.NewReader(blob))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	case types.OCILayerZStd:
		zr, err := zstd.NewReader(bytes.NewReader(blob))
		if err != nil {
			t.Fatalf("zstd: %v", err)
		}
		defer zr.Close()
		r = zr
	default:
		t.Fatalf("unexpected media type %q", mt)
	}
	return readAll(t, r)
}

// readTar lists a layer's entries in stream order.
func readTar(t *testing.T, l v1.Layer) []tarFile {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(decompress(t, l)))
	var out []tarFile
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("reading %s: %v", hdr.Name, err)
		}
		out = append(out, tarFile{hdr: hdr, data: data})
	}
}

// byName indexes entries by their tar name ("etc/passwd", "tmp/").
func byName(files []tarFile) map[string]tarFile {
	m := map[string]tarFile{}
	for _, f := range files {
		m[f.hdr.Name] = f
	}
	return m
}

// wantHeader is what a test expects of one tar entry.
type wantHeader struct {
	name       string
	typ        byte
	mode       int64
	uid, gid   int
	data, link string
}

// checkHeaders checks each wanted entry of files: type, mode, owner and
// link target, and with withData also the content and size.
func checkHeaders(t *testing.T, files map[string]tarFile, want []wantHeader, withData bool) {
	t.Helper()
	for _, w := range want {
		f, ok := files[w.name]
		if !ok {
			t.Errorf("%s missing", w.name)
			continue
		}
		h := f.hdr
		if h.Typeflag != w.typ || h.Mode != w.mode || h.Uid != w.uid || h.Gid != w.gid || h.Linkname != w.link {
			t.Errorf("%s: type %q mode %o owner %d:%d link %q, want %q %o %d:%d %q",
				w.name, h.Typeflag, h.Mode, h.Uid, h.Gid, h.Linkname, w.typ, w.mode, w.uid, w.gid, w.link)
		}
		if withData && (string(f.data) != w.data || h.Size != int64(len(w.data))) {
			t.Errorf("%s: data %q (size %d), want %q", w.name, f.data, h.Size, w.data)
		}
	}
}

func names(files []tarFile) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.hdr.Name)
	}
	return out
}

func mustNew(t *testing.T, entries []Entry, opts Options) *Blob {
	t.Helper()
	l, err := New(context.Background(), entries, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return l
}

func digests(t *testing.T, l v1.Layer) (digest, diffID v1.Hash) {
	t.Helper()
	d := hoisttest.Must(t, l.Digest)
	id := hoisttest.Must(t, l.DiffID)
	return d, id
}

func writeFile(t *testing.T, p string, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is filtered by the umask; set it exactly.
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}
