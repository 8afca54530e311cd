package build

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// testEnviron is the process environment with git fenced in to dir, so a
// temp directory never picks up a repository that happens to enclose it.
func testEnviron(dir string) []string {
	return append(os.Environ(), "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir), "HOIST_TEST_VERSION=v1.2.3")
}

func run(t *testing.T, dir string, environ []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = environ
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// gitRepo creates a repository with one commit dated 2021-02-03 and the tag
// v0.1.0, so every .Git field has a known value.
func gitRepo(t *testing.T) string {
	t.Helper()
	_, err := exec.LookPath("git")
	hoisttest.Need(t, err == nil, "git")
	dir := t.TempDir()
	environ := append(testEnviron(dir),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_AUTHOR_DATE=2021-02-03T04:05:06Z", "GIT_COMMITTER_DATE=2021-02-03T04:05:06Z")
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, environ, "git", "init", "-q", "-b", "trunk")
	run(t, dir, environ, "git", "add", ".")
	run(t, dir, environ, "git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "first")
	run(t, dir, environ, "git", "-c", "tag.gpgsign=false", "tag", "v0.1.0")
	return dir
}

func TestExpand(t *testing.T) {
	ctx := context.Background()
	buildTime := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("x", 3600))
	repo := gitRepo(t)
	plain := t.TempDir()

	tests := []struct {
		name    string
		dir     string
		in      []string
		want    []string
		wantErr string
	}{
		{name: "literal", dir: plain, in: []string{"-s", "-w"}, want: []string{"-s", "-w"}},
		{name: "env", dir: plain, in: []string{"-X main.version={{.Env.HOIST_TEST_VERSION}}"}, want: []string{"-X main.version=v1.2.3"}},
		{name: "date", dir: plain, in: []string{"{{.Date}}", "{{.Timestamp}}"}, want: []string{"2024-05-06T06:08:09Z", "1714975689"}},
		{
			name: "git",
			dir:  repo,
			in:   []string{"{{.Git.Branch}}", "{{.Git.Tag}}", "{{.Git.CommitDate}}", "{{.Git.CommitTimestamp}}", "{{.Git.TreeState}}", "{{.Git.IsClean}}", "{{.Git.IsDirty}}", "{{len .Git.FullCommit}}"},
			want: []string{"trunk", "v0.1.0", "2021-02-03T04:05:06Z", "1612325106", "clean", "true", "false", "40"},
		},
		{
			name: "outside git",
			dir:  plain,
			in:   []string{"[{{.Git.Branch}}{{.Git.Tag}}{{.Git.ShortCommit}}{{.Git.FullCommit}}{{.Git.TreeState}}]"},
			want: []string{"[]"},
		},
		{name: "unknown field", dir: plain, in: []string{"-X main.v={{.Bogus}}"}, wantErr: `expanding ldflags "-X main.v={{.Bogus}}": template: ldflags:1:`},
		{name: "missing env", dir: plain, in: []string{"{{.Env.HOIST_TEST_UNSET}}"}, wantErr: `map has no entry for key "HOIST_TEST_UNSET"`},
		{name: "parse error", dir: plain, in: []string{"ok", "{{.Date"}, wantErr: `expanding ldflags "{{.Date": template: ldflags:1: unclosed action`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := NewData(ctx, tt.dir, testEnviron(tt.dir), buildTime)
			got, err := data.Expand("ldflags", tt.in)
			if hoisttest.WantError(t, err, tt.wantErr) {
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans lines: %q", err)
				}
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestGitInfo(t *testing.T) {
	ctx := context.Background()
	repo := gitRepo(t)

	g := gitInfo(ctx, repo, testEnviron(repo))
	if len(g.FullCommit) != 40 || !strings.HasPrefix(g.FullCommit, g.ShortCommit) || g.ShortCommit == "" {
		t.Errorf("commits = %q / %q, want a full hash and its prefix", g.FullCommit, g.ShortCommit)
	}
	if g.CommitTimestamp != 1612325106 {
		t.Errorf("CommitTimestamp = %d, want 1612325106", g.CommitTimestamp)
	}

	if g.Tag != "v0.1.0" || !g.AtTag {
		t.Errorf("at the tag: Tag=%q AtTag=%v, want v0.1.0 and true", g.Tag, g.AtTag)
	}
	for in, want := range map[string]struct {
		tag   string
		exact bool
	}{"v1.2.3-0-gabc": {"v1.2.3", true}, "v1.2.3-rc-1-3-gabc": {"v1.2.3-rc-1", false}, "odd": {"odd", false}} {
		if tag, exact := parseDescribe(in); tag != want.tag || exact != want.exact {
			t.Errorf("parseDescribe(%q) = %q, %v; want %q, %v", in, tag, exact, want.tag, want.exact)
		}
	}

	// An untracked file is enough for the build not to be reproducible from
	// the commit alone.
	if err := os.WriteFile(filepath.Join(repo, "new.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	g = gitInfo(ctx, repo, testEnviron(repo))
	if g.TreeState != "dirty" || !g.IsDirty || g.IsClean {
		t.Errorf("after adding a file: TreeState=%q IsDirty=%v IsClean=%v, want dirty", g.TreeState, g.IsDirty, g.IsClean)
	}

	// Without a tag ko's .Git.Tag is v0.0.0; FoundTag stays empty for the
	// version label.
	run(t, repo, testEnviron(repo), "git", "tag", "-d", "v0.1.0")
	g = gitInfo(ctx, repo, testEnviron(repo))
	if g.Tag != "v0.0.0" || g.FoundTag() != "" {
		t.Errorf("untagged: Tag=%q FoundTag=%q, want v0.0.0 and empty", g.Tag, g.FoundTag())
	}

	// Without git on PATH the data is empty rather than an error.
	if g := gitInfo(ctx, repo, []string{"PATH=" + t.TempDir()}); g != (Git{}) {
		t.Errorf("without git = %+v, want zero", g)
	}
}
