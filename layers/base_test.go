package layers

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/x509roots/fallback/bundle"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// baseFileHeaders are all the entries of the base files layer.
var baseFileHeaders = []wantHeader{
	{name: "etc/", typ: tar.TypeDir, mode: 0o755},
	{name: "etc/passwd", typ: tar.TypeReg, mode: 0o644},
	{name: "etc/group", typ: tar.TypeReg, mode: 0o644},
	{name: "etc/nsswitch.conf", typ: tar.TypeReg, mode: 0o644},
	{name: "etc/os-release", typ: tar.TypeReg, mode: 0o644},
	{name: "home/", typ: tar.TypeDir, mode: 0o755},
	{name: "home/nonroot/", typ: tar.TypeDir, mode: 0o700, uid: 65532, gid: 65532},
	{name: "root/", typ: tar.TypeDir, mode: 0o700},
	{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
	{name: "var/", typ: tar.TypeDir, mode: 0o755},
	{name: "var/run/", typ: tar.TypeDir, mode: 0o755},
}

func TestBaseFiles(t *testing.T) {
	files := byName(readTar(t, mustNew(t, BaseFiles(), Options{Time: epoch2023})))
	checkHeaders(t, files, baseFileHeaders, false)
	if m := files["tmp/"].hdr.FileInfo().Mode(); m&fs.ModeSticky == 0 || m.Perm() != 0o777 {
		t.Errorf("tmp/ file mode %v, want drwxrwxrwt", m)
	}
	if len(files) != len(baseFileHeaders) {
		t.Errorf("base layer has %d entries, want %d", len(files), len(baseFileHeaders))
	}
	checkAccounts(t, files)
}

// checkAccounts: every account line has seven fields, and nonroot is
// 65532:65532 with the home directory the layer creates.
func checkAccounts(t *testing.T, files map[string]tarFile) {
	t.Helper()
	accounts := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(files["etc/passwd"].data), "\n"), "\n") {
		f := strings.Split(line, ":")
		if len(f) != 7 {
			t.Errorf("passwd line %q has %d fields, want 7", line, len(f))
			continue
		}
		accounts[f[0]] = f
	}
	if nr := accounts["nonroot"]; nr == nil || nr[2] != "65532" || nr[3] != "65532" || nr[5] != "/home/nonroot" {
		t.Errorf("passwd nonroot entry %q, want uid/gid 65532 and home /home/nonroot", nr)
	}
	if r := accounts["root"]; r == nil || r[2] != "0" || r[5] != "/root" {
		t.Errorf("passwd root entry %q", r)
	}
	if !strings.Contains(string(files["etc/group"].data), "\nnonroot:x:65532:\n") {
		t.Errorf("group has no nonroot:x:65532 line:\n%s", files["etc/group"].data)
	}
	if got := string(files["etc/nsswitch.conf"].data); !strings.Contains(got, "hosts: files dns") {
		t.Errorf("nsswitch.conf = %q", got)
	}
}

func TestCACerts(t *testing.T) {
	entries := CACerts()
	if len(entries) != 1 {
		t.Fatalf("CACerts returned %d entries, want 1", len(entries))
	}
	e := entries[0]
	if e.Path != "/etc/ssl/certs/ca-certificates.crt" || e.Mode != 0o644 || e.Type != tar.TypeReg || e.UID != 0 || e.GID != 0 {
		t.Errorf("entry %s type %q mode %o owner %d:%d", e.Path, e.Type, e.Mode, e.UID, e.GID)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(e.Data) {
		t.Fatal("AppendCertsFromPEM found no certificate")
	}
	n := 0
	seen := map[string]bool{}
	for rest := e.Data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			if len(bytes.TrimSpace(rest)) != 0 {
				t.Errorf("%d bytes after the last PEM block", len(rest))
			}
			break
		}
		n++
		if block.Type != "CERTIFICATE" {
			t.Errorf("block %d is %q", n, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Errorf("block %d: %v", n, err)
			continue
		}
		if !cert.IsCA {
			t.Errorf("%s is not a CA", cert.Subject)
		}
		if seen[string(cert.Raw)] {
			t.Errorf("%s appears twice", cert.Subject)
		}
		seen[string(cert.Raw)] = true
	}
	if n <= 100 {
		t.Errorf("bundle holds %d certificates, want more than 100", n)
	}
	// Exactly the pinned Mozilla roots without a distrust-after constraint.
	for root := range bundle.Roots() {
		if in := seen[string(root.Certificate)]; in != (root.Constraint == nil) {
			cert, _ := x509.ParseCertificate(root.Certificate)
			t.Errorf("root %q: in bundle %v, has constraint %v", cert.Subject.CommonName, in, root.Constraint != nil)
		}
	}
	if again := CACerts()[0].Data; !bytes.Equal(again, e.Data) {
		t.Error("CACerts is not deterministic")
	}
}

func TestTzdata(t *testing.T) {
	zipData := hoisttest.Zoneinfo(t)
	entries, err := Tzdata(zipData)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(zr.File) {
		t.Errorf("%d entries for %d zip files", len(entries), len(zr.File))
	}
	if !sort.SliceIsSorted(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path }) {
		t.Error("entries are not sorted")
	}
	byPath := map[string]Entry{}
	for _, e := range entries {
		if !strings.HasPrefix(e.Path, "/usr/share/zoneinfo/") || e.Mode != 0o644 || e.Type != tar.TypeReg {
			t.Errorf("entry %s type %q mode %o", e.Path, e.Type, e.Mode)
		}
		byPath[e.Path] = e
	}
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "UTC"} {
		e, ok := byPath["/usr/share/zoneinfo/"+zone]
		if !ok {
			t.Errorf("%s missing", zone)
			continue
		}
		loc, err := time.LoadLocationFromTZData(zone, e.Data)
		if err != nil {
			t.Errorf("%s: %v", zone, err)
			continue
		}
		if zone == "Europe/Berlin" {
			if _, off := time.Date(2024, 7, 1, 12, 0, 0, 0, loc).Zone(); off != 2*3600 {
				t.Errorf("Berlin summer offset %d, want 7200", off)
			}
		}
	}

	// The whole set is one valid layer (no duplicate paths).
	files := byName(readTar(t, mustNew(t, entries, Options{Time: epoch2023})))
	if _, ok := files["usr/share/zoneinfo/Europe/Berlin"]; !ok {
		t.Error("layer lacks usr/share/zoneinfo/Europe/Berlin")
	}
	if d, ok := files["usr/share/zoneinfo/Europe/"]; !ok || d.hdr.Mode != 0o755 {
		t.Error("layer lacks the usr/share/zoneinfo/Europe/ directory")
	}
}

func makeZip(t *testing.T, files map[string]string, dirs ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, d := range dirs {
		if _, err := zw.Create(d); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTzdataEdgeCases(t *testing.T) {
	tests := []struct {
		name      string
		zip       []byte
		wantPaths []string
		wantErr   string
	}{
		{"not a zip", []byte("not a zip"), nil, "reading zoneinfo.zip"},
		{"only directories", makeZip(t, nil, "Europe/"), nil, "holds no zones"},
		{"empty", makeZip(t, nil), nil, "holds no zones"},
		{
			"directories skipped, names cleaned",
			makeZip(t, map[string]string{"B/x": "1", "A": "2", "./C/../D": "3"}, "B/"),
			[]string{"/usr/share/zoneinfo/A", "/usr/share/zoneinfo/B/x", "/usr/share/zoneinfo/D"}, "",
		},
		{
			"names cannot escape the zoneinfo directory",
			makeZip(t, map[string]string{"../../../etc/passwd": "evil"}),
			[]string{"/usr/share/zoneinfo/etc/passwd"}, "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, err := Tzdata(tt.zip)
			if hoisttest.WantError(t, err, tt.wantErr) {
				return
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Path)
			}
			if strings.Join(got, " ") != strings.Join(tt.wantPaths, " ") {
				t.Errorf("paths %q, want %q", got, tt.wantPaths)
			}
		})
	}
}
