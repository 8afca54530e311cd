package layers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestLayerDescriptor checks the digests, size and media type New computes
// on the way against values recomputed from the bytes the layer serves.
// descriptorCases are the compressions and places New writes a layer to.
var descriptorCases = []struct {
	name          string
	compression   Compression
	onDisk        bool
	wantMediaType types.MediaType
}{
	{"default in memory", "", false, "application/vnd.oci.image.layer.v1.tar+gzip"},
	{"gzip in memory", Gzip, false, "application/vnd.oci.image.layer.v1.tar+gzip"},
	{"gzip on disk", Gzip, true, "application/vnd.oci.image.layer.v1.tar+gzip"},
	{"zstd in memory", Zstd, false, "application/vnd.oci.image.layer.v1.tar+zstd"},
	{"zstd on disk", Zstd, true, "application/vnd.oci.image.layer.v1.tar+zstd"},
}

func TestLayerDescriptor(t *testing.T) {
	for _, tt := range descriptorCases {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Time: epoch2023, Compression: tt.compression}
			if tt.onDisk {
				opts.Dir = t.TempDir()
			}
			l := mustNew(t, sampleEntries(t), opts)
			blob := compressedBytes(t, l)
			if again := compressedBytes(t, l); !bytes.Equal(blob, again) {
				t.Fatal("Compressed returned different bytes on a second read")
			}
			checkDescriptor(t, l, blob, tt.wantMediaType)
			// ggcr's own validation recomputes everything again; it reads
			// layers through gzip only.
			if tt.wantMediaType == types.OCILayer {
				if err := validate.Layer(l); err != nil {
					t.Errorf("validate.Layer: %v", err)
				}
			}
			if tt.onDisk {
				checkBlobFile(t, l, opts.Dir, blob)
			}
		})
	}
}

// checkDescriptor checks what New computed against the bytes l serves.
func checkDescriptor(t *testing.T, l *Blob, blob []byte, wantMediaType types.MediaType) {
	t.Helper()
	tarBytes := decompress(t, l)
	digest, diffID := digests(t, l)
	if digest.Algorithm != "sha256" || digest.Hex != sha256Hex(blob) {
		t.Errorf("Digest %s, want sha256:%s", digest, sha256Hex(blob))
	}
	if diffID.Algorithm != "sha256" || diffID.Hex != sha256Hex(tarBytes) {
		t.Errorf("DiffID %s, want sha256:%s", diffID, sha256Hex(tarBytes))
	}
	if size, err := l.Size(); err != nil || size != int64(len(blob)) {
		t.Errorf("Size = %d, %v; want %d", size, err, len(blob))
	}
	if mt, err := l.MediaType(); err != nil || mt != wantMediaType {
		t.Errorf("MediaType = %q, %v; want %q", mt, err, wantMediaType)
	}
	if d := l.Descriptor(); d.Digest != digest || d.DiffID != diffID || d.Size != int64(len(blob)) {
		t.Errorf("Descriptor %+v disagrees with the layer's methods", d)
	}
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatalf("Uncompressed: %v", err)
	}
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading Uncompressed: %v", err)
	}
	if err := rc.Close(); err != nil {
		t.Errorf("closing Uncompressed: %v", err)
	}
	if !bytes.Equal(got, tarBytes) {
		t.Error("Uncompressed differs from the decompressed blob")
	}
}

// checkBlobFile: the one file in dir is the blob, and l says so.
func checkBlobFile(t *testing.T, l *Blob, dir string, blob []byte) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || !strings.HasSuffix(files[0], ".blob") {
		t.Fatalf("Dir holds %q, want one .blob file", files)
	}
	onDisk, err := os.ReadFile(files[0])
	if err != nil || !bytes.Equal(onDisk, blob) {
		t.Errorf("blob file differs from Compressed (err %v)", err)
	}
	if l.Path() != files[0] {
		t.Errorf("Path %q, want %q", l.Path(), files[0])
	}
}

func TestCompressionMagic(t *testing.T) {
	tests := []struct {
		compression Compression
		magic       []byte
	}{
		{Gzip, []byte{0x1f, 0x8b, 8}}, // gzip, deflate
		{Zstd, []byte{0x28, 0xb5, 0x2f, 0xfd}},
	}
	for _, tt := range tests {
		blob := compressedBytes(t, mustNew(t, sampleEntries(t), Options{Compression: tt.compression}))
		if !bytes.HasPrefix(blob, tt.magic) {
			t.Errorf("%s blob starts % x, want % x", tt.compression, blob[:min(len(blob), 8)], tt.magic)
		}
	}
}

// TestGzipHeaderCarriesNoHostData checks the header fields that would make a
// layer depend on when or where it was written.
func TestGzipHeaderCarriesNoHostData(t *testing.T) {
	blob := compressedBytes(t, mustNew(t, sampleEntries(t), Options{Time: epoch2023, Compression: Gzip}))
	if len(blob) < 10 {
		t.Fatalf("blob is %d bytes", len(blob))
	}
	if flg := blob[3]; flg&0x08 != 0 || flg&0x10 != 0 {
		t.Errorf("FLG = %#x: header carries a file name or comment", flg)
	}
	if mtime := blob[4:8]; !bytes.Equal(mtime, []byte{0, 0, 0, 0}) {
		t.Errorf("MTIME = % x, want zero", mtime)
	}
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || zr.Comment != "" || len(zr.Extra) != 0 || !zr.ModTime.IsZero() {
		t.Errorf("gzip header %+v, want no name, comment, extra or mtime", zr.Header)
	}
}

func TestNewDirErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	_, err := New(t.Context(), []Entry{File("/a", 0o644, nil)}, Options{Dir: missing})
	if err == nil || !strings.Contains(err.Error(), "creating layer file") {
		t.Errorf("New into a missing Dir: error %v, want one mentioning \"creating layer file\"", err)
	}
}

func TestParseCompression(t *testing.T) {
	tests := []struct {
		in      string
		want    Compression
		wantErr bool
	}{
		{"", Gzip, false},
		{"gzip", Gzip, false},
		{"zstd", Zstd, false},
		{"GZIP", "", true},
		{"Zstd", "", true},
		{" gzip", "", true},
		{"xz", "", true},
		{"none", "", true},
	}
	for _, tt := range tests {
		got, err := ParseCompression(tt.in)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), `invalid compression "`+tt.in+`"`) {
				t.Errorf("ParseCompression(%q) = %q, %v; want an invalid compression error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseCompression(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
