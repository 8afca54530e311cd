package sbom

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/hoist-build/hoist/internal/gomod"
)

// pkg is one entry of either format; both are rendered from the same model
// so an SPDX and a CycloneDX document of one image list the same things.
type pkg struct {
	id      string // unique, [A-Za-z0-9.-]+, for SPDXID and bom-ref
	kind    string // CycloneDX component type
	name    string
	version string
	purl    string
	// sha256 is hex. For modules it is the go.sum h1 hash: neither format
	// has a dirhash algorithm, so it is recorded as SHA-256, as syft does.
	sha256 string
	desc   string
	props  []debug.BuildSetting
}

// model is the image, the application binary in it, the Go standard
// library and modules linked into the binary, and the base's components.
type model struct {
	namespace string // SPDX documentNamespace; also seeds the CycloneDX serial
	image     pkg
	app       pkg
	deps      []pkg // stdlib first, then modules by path
	base      []pkg
}

// namespaceBase prefixes document namespaces. SPDX wants a URI unique to
// the document, not a resolvable one; the project's own URL keeps it ours.
const namespaceBase = "https://github.com/hoist-build/hoist/sbom/"

func newModel(in Input, format string) (*model, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	hexDigest, _ := digestHex(in.Digest)
	bi := in.BuildInfo
	m := &model{
		namespace: namespaceBase + format + "/" + gomod.EscapePath(in.Name) + "/sha256/" + hexDigest,
		image: pkg{id: "image", kind: "container", name: in.Name, version: in.Digest,
			purl: ociPURL(in.Name, in.Digest), sha256: hexDigest},
		app: pkg{id: "application", kind: "application", name: bi.Path,
			version: moduleVersion(bi.Main.Version), purl: gomod.PURL(bi.Main.Path, moduleVersion(bi.Main.Version)),
			sha256: gomod.H1Hex(bi.Main.Sum), props: goSettings(bi)},
	}
	ids := map[string]bool{m.image.id: true, m.app.id: true}
	if gv := goVersion(bi.GoVersion); gv != "" {
		m.deps = append(m.deps, pkg{id: uniqueID(ids, "go-stdlib"), kind: "library", name: "stdlib",
			version: gv, purl: gomod.PURL("stdlib", strings.TrimPrefix(gv, "go")), desc: "Go standard library"})
	}
	for _, d := range gomod.Modules(bi) {
		m.deps = append(m.deps, pkg{id: uniqueID(ids, "gomod-"+d.Path+"-"+d.Version), kind: "library",
			name: d.Path, version: d.Version, purl: gomod.PURL(d.Path, d.Version), sha256: gomod.H1Hex(d.Sum)})
	}
	base := append([]Component(nil), in.Base...)
	sort.SliceStable(base, func(i, j int) bool { return base[i].Name < base[j].Name })
	for _, c := range base {
		m.base = append(m.base, pkg{id: uniqueID(ids, "base-"+c.Name), kind: c.Type, name: c.Name,
			version: c.Version, purl: c.PURL, sha256: c.SHA256, desc: c.Description})
	}
	return m, nil
}

// goSettings are the toolchain version and build settings, what a reader
// needs to tell how the binary was compiled, in the go command's order.
func goSettings(bi *debug.BuildInfo) []debug.BuildSetting {
	out := []debug.BuildSetting{{Key: "go.version", Value: bi.GoVersion}}
	for _, s := range bi.Settings {
		out = append(out, debug.BuildSetting{Key: "go.build." + s.Key, Value: s.Value})
	}
	return out
}

// moduleVersion drops "(devel)", which the go command records for a main
// module it could not version; it is not a version a scanner can match.
func moduleVersion(v string) string {
	if v == "(devel)" {
		return ""
	}
	return v
}

// goVersion is the toolchain version without GOEXPERIMENT and other
// suffixes: "go1.26.8 X:foo" → "go1.26.8".
func goVersion(v string) string {
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// uniqueID makes an identifier of the allowed characters, suffixed when
// two names sanitise to the same string.
func uniqueID(seen map[string]bool, s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	id := b.String()
	for n := 2; seen[id]; n++ {
		id = fmt.Sprintf("%s-%d", b.String(), n)
	}
	seen[id] = true
	return id
}

// uuid5 is an RFC 9562 name-based (SHA-1) UUID in the URL namespace:
// CycloneDX requires a version 1-5 UUID, and a name-based one makes the
// serial number a function of the document's identity.
func uuid5(name string) string {
	ns := []byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.Sum(append(ns, name...))
	u := h[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
