package ptytest

import (
	"os/exec"
	"slices"
	"testing"
)

func TestRender(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"text", "a\r\nb\r\n", []string{"a", "b"}},
		{"overwrite", "abc\rX", []string{"Xbc"}},
		{"cursor up erases", "one\r\ntwo\r\n\x1b[2A\x1b[2Kun\r\n", []string{"un", "two"}},
		{"erase display", "one\r\ntwo\r\n\x1b[2A\r\x1b[Jnew\r\n", []string{"new"}},
		{"up stops at the screen top", "a\r\nb\r\nc\r\n\x1b[9Ax", []string{"a", "x", "c"}},
		{"wrap", "abcde", []string{"abcd", "e"}},
		{"sgr ignored", "\x1b[1mbold\x1b[0m", []string{"bold"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render([]byte(tc.in), 3, 4)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Render(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if _, err := Render([]byte("\x1b]0;title\a"), 3, 4); err == nil {
		t.Error("an unsupported sequence rendered without error")
	}
}

func TestRunOnTerminal(t *testing.T) {
	out, err := Run(exec.Command("sh", "-c", "test -t 1 && test -t 2 && printf 'tty\\n'"), 24, 80)
	if err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	screen, err := Render(out, 24, 80)
	if err != nil || !slices.Equal(screen, []string{"tty"}) {
		t.Errorf("screen = %q, %v; want [tty]", screen, err)
	}
}
