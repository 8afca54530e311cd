package build

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"
)

// Data is what {{...}} in flags and ldflags can refer to, as in ko v0.19.1:
// .Env (LDFLAGS preset to empty, then the go command's environment for the
// platform), .GoEnv (`go env`, overridden by .Env's keys), .Git, .Date and
// .Timestamp. ko has no other fields (no .Target): a template naming one
// fails in both tools.
type Data struct {
	Env       map[string]string
	GoEnv     map[string]string
	Git       Git
	Date      string // build time, RFC 3339 in UTC
	Timestamp int64  // build time, Unix seconds

	goEnv *lazyGoEnv
}

// Git describes the checkout the package is built from, with ko's values:
// every field is empty outside a git repository (so templates still expand
// in a tarball), and Tag is "v0.0.0" in a repository without tags.
type Git struct {
	Branch          string
	Tag             string // nearest tag reachable from HEAD
	AtTag           bool   // HEAD is the commit Tag names, not past it
	ShortCommit     string
	FullCommit      string
	CommitDate      string // RFC 3339 in UTC
	CommitTimestamp int64
	TreeState       string // "clean" or "dirty"
	IsDirty         bool
	IsClean         bool

	tagFound bool
}

// FoundTag is the tag git describe found, "" when there is none (where the
// template field says v0.0.0, as ko's does).
func (g Git) FoundTag() string {
	if !g.tagFound {
		return ""
	}
	return g.Tag
}

// NewData gathers template data once per build: git runs several commands
// and the answers do not change between the fields being expanded. A zero t
// stands for the Unix epoch rather than year 1, so an unset build time still
// gives a reproducible, plausible {{.Date}}. .GoEnv runs `go env` in dir
// the first time a template needs it.
func NewData(ctx context.Context, dir string, environ []string, t time.Time) Data {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return Data{
		Env:       envMap(environ),
		Git:       gitInfo(ctx, dir, environ),
		Date:      t.UTC().Format(time.RFC3339),
		Timestamp: t.Unix(),
		goEnv:     &lazyGoEnv{dir: dir, environ: environ},
	}
}

// forBuild is d as one go invocation sees it: .Env is that invocation's
// environment and .GoEnv, when a template uses it, `go env` with the
// invocation's values on top, as ko computes them.
func (d Data) forBuild(ctx context.Context, env []string, templates ...[]string) (Data, error) {
	d.Env = map[string]string{"LDFLAGS": ""}
	for k, v := range envMap(env) {
		d.Env[k] = v
	}
	if d.goEnv == nil || !mentions(".GoEnv", templates...) {
		return d, nil
	}
	base, err := d.goEnv.get(ctx)
	if err != nil {
		return d, err
	}
	d.GoEnv = make(map[string]string, len(base))
	for k, v := range base {
		if ev, ok := d.Env[k]; ok {
			v = ev
		}
		d.GoEnv[k] = v
	}
	return d, nil
}

func mentions(field string, lists ...[]string) bool {
	for _, l := range lists {
		for _, s := range l {
			if strings.Contains(s, "{{") && strings.Contains(s, field) {
				return true
			}
		}
	}
	return false
}

// lazyGoEnv runs `go env -json` once, however many platforms ask.
type lazyGoEnv struct {
	dir     string
	environ []string
	once    sync.Once
	env     map[string]string
	err     error
}

func (l *lazyGoEnv) get(ctx context.Context) (map[string]string, error) {
	l.once.Do(func() {
		goPath, err := lookPath("go", l.environ)
		if err != nil {
			l.err = err
			return
		}
		cmd := exec.CommandContext(ctx, goPath, "env", "-json")
		cmd.Dir, cmd.Env = l.dir, l.environ
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			l.err = fmt.Errorf("running go env for {{.GoEnv}}: %w: %s", err, oneLine(stderr.String()))
			return
		}
		l.err = json.Unmarshal(out, &l.env)
	})
	return l.env, l.err
}

// Expand executes each string of in as a template over d. what names the
// list in errors ("flags", "ldflags") so the user can find the bad entry in
// their config.
func (d Data) Expand(what string, in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, s := range in {
		t, err := template.New(what).Option("missingkey=error").Parse(s)
		if err != nil {
			return nil, fmt.Errorf("expanding %s %q: %w", what, s, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return nil, fmt.Errorf("expanding %s %q: %w", what, s, err)
		}
		out = append(out, b.String())
	}
	return out, nil
}

// gitInfo is best effort: a missing git binary, a directory outside any
// repository or a repository without commits all leave fields empty, because
// none of them should stop a build whose templates do not use .Git.
func gitInfo(ctx context.Context, dir string, environ []string) Git {
	gitPath, err := lookPath("git", environ)
	if err != nil {
		return Git{}
	}
	// The five questions are independent, so they are asked at once: a
	// no-op rebuild spends most of its time waiting on processes.
	queries := [][]string{
		{"rev-parse", "--is-inside-work-tree"},
		{"status", "--porcelain"},
		// One log call for all commit fields; showSignature would
		// interleave gpg output with the format.
		{"-c", "log.showSignature=false", "log", "-1", "--format=%H%n%h%n%ct", "HEAD"},
		{"rev-parse", "--abbrev-ref", "HEAD"},
		// --long always adds "-N-gHASH": N is 0 exactly at the tag.
		{"describe", "--tags", "--long", "HEAD"},
	}
	outs, oks := make([]string, len(queries)), make([]bool, len(queries))
	var wg sync.WaitGroup
	for i, args := range queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, gitPath, args...)
			cmd.Dir, cmd.Env = dir, environ
			out, err := cmd.Output()
			outs[i], oks[i] = strings.TrimSpace(string(out)), err == nil
		}()
	}
	wg.Wait()
	if !oks[0] || outs[0] != "true" {
		return Git{}
	}
	return parseGit(outs, oks)
}

func parseGit(outs []string, oks []bool) Git {
	var g Git
	lines := strings.Split(outs[2], "\n")
	if !oks[2] || len(lines) != 3 {
		return g // no commits yet: ko leaves every field empty
	}
	// ko counts a failing git status as dirty.
	g.IsDirty = !oks[1] || outs[1] != ""
	g.IsClean = !g.IsDirty
	g.TreeState = "clean"
	if g.IsDirty {
		g.TreeState = "dirty"
	}
	g.FullCommit, g.ShortCommit = lines[0], lines[1]
	if sec, err := strconv.ParseInt(lines[2], 10, 64); err == nil {
		g.CommitTimestamp = sec
		g.CommitDate = time.Unix(sec, 0).UTC().Format(time.RFC3339)
	}
	if oks[3] {
		g.Branch = outs[3]
	}
	g.Tag = "v0.0.0"
	if oks[4] {
		g.Tag, g.AtTag = parseDescribe(outs[4])
		g.tagFound = true
	}
	return g
}

// parseDescribe splits `git describe --long` output, TAG-N-gHASH; the tag
// itself may contain dashes.
func parseDescribe(s string) (tag string, exact bool) {
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return s, false
	}
	j := strings.LastIndexByte(s[:i], '-')
	if j < 0 {
		return s, false
	}
	return s[:j], s[j+1:i] == "0"
}
