package resolve

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// source maps yaml.v3's positions, 1-based lines and columns counted in
// characters, to byte offsets.
type source struct {
	b      []byte
	starts []int // byte offset of each line
}

var bom = []byte("\xef\xbb\xbf")

func newSource(b []byte) *source {
	first := 0
	if bytes.HasPrefix(b, bom) {
		// yaml.v3 drops the byte order mark before it counts columns.
		first = len(bom)
	}
	s := &source{b: b, starts: []int{first}}
	for i := first; i < len(b); {
		if n := breakLen(b[i:]); n > 0 {
			i += n
			s.starts = append(s.starts, i)
			continue
		}
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	return s
}

// breakLen is the length of the line break at the start of b, 0 if none:
// yaml.v3 counts CRLF, CR, LF, NEL, LS and PS as line breaks.
func breakLen(b []byte) int {
	switch {
	case len(b) == 0:
		return 0
	case b[0] == '\r' && len(b) > 1 && b[1] == '\n':
		return 2
	case b[0] == '\r' || b[0] == '\n':
		return 1
	case bytes.HasPrefix(b, nel):
		return len(nel)
	case bytes.HasPrefix(b, lineSep) || bytes.HasPrefix(b, paraSep):
		return len(lineSep)
	}
	return 0
}

var (
	nel     = []byte("\u0085")
	lineSep = []byte("\u2028")
	paraSep = []byte("\u2029")
)

func (s *source) offset(line, col int) (int, error) {
	if line < 1 || line > len(s.starts) || col < 1 {
		return 0, fmt.Errorf("position %d:%d is outside the input", line, col)
	}
	p := s.starts[line-1]
	for range col - 1 {
		if p >= len(s.b) || breakLen(s.b[p:]) > 0 {
			return 0, fmt.Errorf("position %d:%d is outside the input", line, col)
		}
		_, size := utf8.DecodeRune(s.b[p:])
		p += size
	}
	return p, nil
}

// edit finds the bytes of n's scalar and what to put there instead. yaml.v3
// places a node at its first property (&anchor, !tag) when it has any, so
// those are stepped over first and kept.
func (s *source) edit(n *yaml.Node, ref string) (edit, error) {
	if ref == "" || !utf8.ValidString(ref) || strings.ContainsAny(ref, "\r\n\u0085\u2028\u2029") {
		return edit{}, fmt.Errorf("image reference %q is not one line of UTF-8 text", ref)
	}
	p, err := s.offset(n.Line, n.Column)
	if err != nil {
		return edit{}, err
	}
	p = skipProperties(s.b, p)
	if p >= len(s.b) {
		return edit{}, errors.New("no scalar found at its position")
	}
	switch s.b[p] {
	case '"':
		end, err := doubleQuotedEnd(s.b, p)
		return edit{p, end, doubleQuote(ref)}, err
	case '\'':
		end, err := singleQuotedEnd(s.b, p)
		return edit{p, end, "'" + strings.ReplaceAll(ref, "'", "''") + "'"}, err
	case '|', '>':
		return s.blockEdit(p, n.Value, ref)
	}
	end := p + len(n.Value)
	if end > len(s.b) || string(s.b[p:end]) != n.Value {
		return edit{}, errors.New("the scalar's text is not where the parser put it")
	}
	if plainSafe(ref) {
		return edit{p, end, ref}, nil
	}
	return edit{p, end, doubleQuote(ref)}, nil
}

// skipProperties steps over anchors, tags, and the blanks, line breaks and
// comments that may separate them from the scalar.
func skipProperties(b []byte, p int) int {
	for p < len(b) {
		switch c := b[p]; {
		case c == ' ' || c == '\t':
			p++
		case breakLen(b[p:]) > 0:
			p += breakLen(b[p:])
		case c == '#':
			for p < len(b) && breakLen(b[p:]) == 0 {
				p++
			}
		case c == '!' && p+1 < len(b) && b[p+1] == '<':
			end := bytes.IndexByte(b[p:], '>')
			if end < 0 {
				return len(b)
			}
			p += end + 1
		case c == '&' || c == '!':
			for p < len(b) && !bytes.ContainsAny(b[p:p+1], " \t\r\n,[]{}") && breakLen(b[p:]) == 0 {
				p++
			}
		default:
			return p
		}
	}
	return p
}

func doubleQuotedEnd(b []byte, p int) (int, error) {
	for i := p + 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errors.New("unterminated double-quoted scalar")
}

func singleQuotedEnd(b []byte, p int) (int, error) {
	for i := p + 1; i < len(b); i++ {
		if b[i] != '\'' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\'' {
			i++
			continue
		}
		return i + 1, nil
	}
	return 0, errors.New("unterminated single-quoted scalar")
}

// blockEdit replaces the one content line of a literal or folded scalar
// (the value has no spaces, so it cannot span lines) and keeps the header,
// whose chomping indicator decides whether a newline follows the value.
func (s *source) blockEdit(p int, value, ref string) (edit, error) {
	b := s.b
	for p < len(b) && breakLen(b[p:]) == 0 {
		p++
	}
	for p < len(b) && (b[p] == ' ' || breakLen(b[p:]) > 0) {
		p += max(breakLen(b[p:]), 1)
	}
	end := p + len(value)
	if end > len(b) || string(b[p:end]) != value || (end < len(b) && breakLen(b[end:]) == 0) {
		return edit{}, errors.New("the block scalar's text is not where the parser put it")
	}
	if strings.TrimSpace(ref) != ref {
		return edit{}, fmt.Errorf("image reference %q has surrounding blanks a block scalar would not keep", ref)
	}
	return edit{p, end, ref}, nil
}

// plainChars is conservative: no blanks, no flow indicators, no comment
// marker, nothing that could start another token.
var plainChars = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/@:+-]*$`)

// plainSafe reports whether ref can stand unquoted and still read back as
// the same string: "true", "1e3" or "0x1F" are also made of safe characters
// but would resolve to other types, so yaml.v3's own resolver decides.
func plainSafe(ref string) bool {
	if !plainChars.MatchString(ref) || strings.HasSuffix(ref, ":") {
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(ref), &n); err != nil || len(n.Content) != 1 {
		return false
	}
	c := n.Content[0]
	return c.Kind == yaml.ScalarNode && c.ShortTag() == "!!str" && c.Value == ref
}

// doubleQuote writes ref as a YAML double-quoted scalar; YAML's escapes are
// not Go's, so strconv.Quote would not do for every input.
func doubleQuote(ref string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range ref {
		switch {
		case r == '"' || r == '\\':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case unicode.IsPrint(r) && r != '\ufeff':
			sb.WriteRune(r)
		case r <= 0xffff:
			fmt.Fprintf(&sb, `\u%04X`, r)
		default:
			fmt.Fprintf(&sb, `\U%08X`, r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

// apply splices the edits into a copy of b.
func apply(b []byte, edits []edit) ([]byte, error) {
	slices.SortFunc(edits, func(x, y edit) int { return x.start - y.start })
	var out bytes.Buffer
	out.Grow(len(b))
	prev := 0
	for _, e := range edits {
		if e.start < prev {
			return nil, fmt.Errorf("splicing: two references overlap at byte %d", e.start)
		}
		out.Write(b[prev:e.start])
		out.WriteString(e.text)
		prev = e.end
	}
	out.Write(b[prev:])
	return out.Bytes(), nil
}
