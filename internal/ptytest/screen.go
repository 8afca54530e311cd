package ptytest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Render interprets what a program wrote to a terminal of the given size
// (text, CR, LF, backspace, tab, and the CSI sequences a progress display
// uses: cursor movement, erase in line and display, SGR and private modes
// ignored) and returns the screen and its scrollback as lines, trailing
// blanks trimmed. Any other escape sequence is an error, so a display that
// starts using one shows up in the test instead of being misrendered.
func Render(out []byte, rows, cols int) ([]string, error) {
	s := &screen{rows: rows, cols: cols, lines: [][]rune{nil}}
	for i := 0; i < len(out); {
		if out[i] == 0x1b {
			n, err := s.escape(out[i:])
			if err != nil {
				return nil, fmt.Errorf("at byte %d: %w", i, err)
			}
			i += n
			continue
		}
		r, n := utf8.DecodeRune(out[i:])
		s.char(r)
		i += n
	}
	res := make([]string, len(s.lines))
	for i, l := range s.lines {
		res[i] = strings.TrimRight(string(l), " ")
	}
	for len(res) > 0 && res[len(res)-1] == "" {
		res = res[:len(res)-1]
	}
	return res, nil
}

type screen struct {
	rows, cols int
	lines      [][]rune // scrollback and screen; the screen is the last rows
	row, col   int      // cursor, as an index into lines
}

// top is the first line still on screen: the cursor cannot move above it.
func (s *screen) top() int { return max(0, len(s.lines)-s.rows) }

func (s *screen) char(r rune) {
	switch r {
	case '\r':
		s.col = 0
	case '\n':
		s.row++
		if s.row == len(s.lines) {
			s.lines = append(s.lines, nil)
		}
	case '\b':
		s.col = max(0, s.col-1)
	case '\t':
		s.col = min(s.cols-1, (s.col/8+1)*8)
	default:
		if r < 0x20 {
			return
		}
		if s.col >= s.cols { // autowrap
			s.col = 0
			s.char('\n')
		}
		l := s.lines[s.row]
		for len(l) <= s.col {
			l = append(l, ' ')
		}
		l[s.col] = r
		s.lines[s.row] = l
		s.col++
	}
}

// escape handles one sequence at the start of b and returns its length.
func (s *screen) escape(b []byte) (int, error) {
	if len(b) < 2 || b[1] != '[' {
		return 0, fmt.Errorf("unsupported escape %q", b[:min(len(b), 4)])
	}
	end := 2
	for end < len(b) && (b[end] < 0x40 || b[end] > 0x7e) {
		end++
	}
	if end == len(b) {
		return 0, fmt.Errorf("unterminated escape %q", b)
	}
	params, final := string(b[2:end]), b[end]
	if strings.HasPrefix(params, "?") && (final == 'h' || final == 'l') {
		return end + 1, nil // cursor visibility and other private modes
	}
	n, _ := strconv.Atoi(params)
	switch final {
	case 'm':
	case 'A':
		s.row = max(s.top(), s.row-max(n, 1))
	case 'B':
		s.row = min(len(s.lines)-1, s.row+max(n, 1))
	case 'C':
		s.col = min(s.cols-1, s.col+max(n, 1))
	case 'D':
		s.col = max(0, s.col-max(n, 1))
	case 'G':
		s.col = min(s.cols-1, max(n, 1)-1)
	case 'K':
		s.eraseLine(n)
	case 'J':
		if n != 0 {
			return 0, fmt.Errorf("unsupported erase in display %q", b[:end+1])
		}
		s.eraseLine(0)
		s.lines = s.lines[:s.row+1]
	default:
		return 0, fmt.Errorf("unsupported escape %q", b[:end+1])
	}
	return end + 1, nil
}

// eraseLine clears from the cursor to the end (0), the start (1) or all (2).
func (s *screen) eraseLine(mode int) {
	l := s.lines[s.row]
	switch mode {
	case 0:
		if s.col < len(l) {
			s.lines[s.row] = l[:s.col]
		}
	case 1:
		for i := 0; i <= s.col && i < len(l); i++ {
			l[i] = ' '
		}
	case 2:
		s.lines[s.row] = nil
	}
}
