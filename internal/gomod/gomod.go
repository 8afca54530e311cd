package gomod

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
)

// Modules are the modules linked into the binary as built: a replaced
// module is listed as its replacement, since that is the code that ran.
// They are sorted by path, then version.
func Modules(bi *debug.BuildInfo) []debug.Module {
	out := make([]debug.Module, 0, len(bi.Deps))
	for _, d := range bi.Deps {
		if d == nil {
			continue
		}
		mod := *d
		if d.Replace != nil {
			mod = *d.Replace
		}
		mod.Replace = nil
		out = append(out, mod)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Version < out[j].Version
	})
	return out
}

// H1Hex turns a go.sum "h1:" hash into lowercase hex, "" if sum is not
// one. The hash is Go's dirhash Hash1: a SHA-256 over the module's file
// list, not over an archive.
func H1Hex(sum string) string {
	b64, ok := strings.CutPrefix(sum, "h1:")
	if !ok {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != 32 {
		return ""
	}
	return hex.EncodeToString(b)
}

// PURL is the package URL of a Go module (or "stdlib"), the identifier
// vulnerability databases match Go code by; version may be empty.
func PURL(module, version string) string {
	if module == "" {
		return ""
	}
	p := "pkg:golang/" + EscapePath(module)
	if version != "" {
		p += "@" + Escape(version, "")
	}
	return p
}

// EscapePath percent-encodes each segment of a slash-separated path.
func EscapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = Escape(s, "")
	}
	return strings.Join(segs, "/")
}

// Escape percent-encodes all but RFC 3986 unreserved characters and those
// in keep: a purl's '+' in "+incompatible" and ':' in "sha256:" must be
// encoded, which url.PathEscape would not do.
func Escape(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '.', c == '_', c == '~', strings.IndexByte(keep, c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
