package layers

import (
	"archive/zip"
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"path"
	"sort"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// NonRoot is the uid and gid of the distroless "nonroot" user.
const NonRoot = 65532

// CABundlePath is where the distroless base puts the CA bundle; images set
// SSL_CERT_FILE to it.
const CABundlePath = "/etc/ssl/certs/ca-certificates.crt"

// The account files match distroless static, so tools and users that know
// that base find the same names and ids.
const passwd = `root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
`

const group = `root:x:0:
tty:x:5:
staff:x:50:
nonroot:x:65532:
nobody:x:65534:
`

// Go's resolver reads nsswitch.conf; without it, it would still prefer
// files, but other runtimes (and glibc, when cgo is on) need it.
const nsswitch = "hosts: files dns\n"

const osRelease = `PRETTY_NAME="hoist distroless"
NAME="hoist distroless"
ID=hoist
VERSION_ID="1"
HOME_URL="https://github.com/hoist-build/hoist"
`

// BaseFiles is the filesystem skeleton of the distroless base: accounts,
// resolver config, os-release, and the directories with the modes a non-root
// process expects.
func BaseFiles() []Entry {
	return []Entry{
		File("/etc/passwd", 0o644, []byte(passwd)),
		File("/etc/group", 0o644, []byte(group)),
		File("/etc/nsswitch.conf", 0o644, []byte(nsswitch)),
		File("/etc/os-release", 0o644, []byte(osRelease)),
		Dir("/home", 0o755, 0, 0),
		Dir("/home/nonroot", 0o700, NonRoot, NonRoot),
		Dir("/root", 0o700, 0, 0),
		Dir("/tmp", 0o1777, 0, 0),
		Dir("/var/run", 0o755, 0, 0),
	}
}

// CACerts returns the CA bundle from the Mozilla roots pinned in
// golang.org/x/crypto/x509roots/fallback, not the host's, so the layer digest
// does not depend on the build machine. Roots carrying a distrust-after
// constraint are left out: a PEM file cannot express the constraint, and
// trusting them without it would be wider than Mozilla intends.
func CACerts() []Entry {
	var buf bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate})
	}
	return []Entry{File(CABundlePath, 0o644, buf.Bytes())}
}

// ZoneinfoDir is where tzdata lives in the image; Go finds it there without
// ZONEINFO being set.
const ZoneinfoDir = "/usr/share/zoneinfo"

// Tzdata unpacks the Go toolchain's zoneinfo.zip (GOROOT/lib/time) into
// entries under ZoneinfoDir.
func Tzdata(zipData []byte) ([]Entry, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		return nil, fmt.Errorf("reading zoneinfo.zip: %w", err)
	}
	var entries []Entry
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		name := path.Clean("/" + f.Name)
		data, err := readZipFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading zoneinfo.zip %s: %w", f.Name, err)
		}
		entries = append(entries, File(path.Join(ZoneinfoDir, name), 0o644, data))
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("reading zoneinfo.zip: it holds no zones")
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	return entries, nil
}

func readZipFile(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
