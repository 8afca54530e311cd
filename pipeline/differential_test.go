package pipeline_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/pipeline"
)

// edit is one kind of change real projects see; cgo marks those after which
// hoist rightly never skips the toolchain.
type edit struct {
	name string
	do   func(s *scratch)
	cgo  bool
}

// edits, applied in order, each build on the state the earlier left.
var edits = []edit{
	{name: "edit a Go file", do: func(s *scratch) { s.replace("mod/lib/lib.go", "hello-1", "hello-2") }},
	{name: "same-size edit with mtime restored", do: func(s *scratch) {
		p := filepath.Join(s.ws, "mod/lib/lib.go")
		fi, _ := os.Stat(p)
		s.replace("mod/lib/lib.go", "hello-2", "hello-3")
		os.Chtimes(p, fi.ModTime(), fi.ModTime())
	}},
	{name: "add a Go file", do: func(s *scratch) {
		s.write("mod/app/extra.go", "package main\n\nfunc init() { extra = \"added\" }\n")
	}},
	{name: "rename a Go file", do: func(s *scratch) {
		os.Rename(filepath.Join(s.ws, "mod/app/extra.go"), filepath.Join(s.ws, "mod/app/zextra.go"))
	}},
	{name: "delete a Go file", do: func(s *scratch) { os.Remove(filepath.Join(s.ws, "mod/app/zextra.go")) }},
	{name: "build tag in GOFLAGS", do: func(s *scratch) { s.setEnv("GOFLAGS", "-tags=foo") }},
	{name: "build tag removed", do: func(s *scratch) { s.setEnv("GOFLAGS", "") }},
	{name: "edit a build constraint of an ignored file", do: func(s *scratch) {
		s.replace("mod/app/tagged.go", "//go:build foo", "//go:build !foo")
	}},
	{name: "edit an embedded file", do: func(s *scratch) { s.write("mod/app/msg.txt", "hallo\n") }},
	{name: "new file in an embedded directory", do: func(s *scratch) { s.write("mod/app/static/b.txt", "b\n") }},
	{name: "new subdirectory in an embedded directory", do: func(s *scratch) { s.write("mod/app/static/sub/c.txt", "c\n") }},
	{name: "edit in an embedded subdirectory", do: func(s *scratch) { s.write("mod/app/static/sub/c.txt", "C\n") }},
	{name: "git commit", do: func(s *scratch) { s.git("add", "-A"); s.git("commit", "-q", "-m", "more") }},
	{name: "git tag without a commit", do: func(s *scratch) { s.git("tag", "v1.2.3") }},
	{name: "dirty tree from a non-Go file", do: func(s *scratch) { s.write("mod/README.md", "scratch, edited\n") }},
	{name: "clean again by commit", do: func(s *scratch) { s.git("commit", "-q", "-am", "readme") }},
	{name: "untracked file", do: func(s *scratch) { s.write("mod/notes.txt", "untracked\n") }},
	{name: "VCS stamping off in GOFLAGS", do: func(s *scratch) { s.setEnv("GOFLAGS", "-buildvcs=false") }},
	{name: "VCS stamping back on", do: func(s *scratch) { s.setEnv("GOFLAGS", "") }},
	{name: "GOAMD64 in the GOENV file", do: func(s *scratch) { s.goenv("GOAMD64=v3\n") }},
	{name: "build tag in the GOENV file", do: func(s *scratch) { s.goenv("GOFLAGS=-tags=foo\n") }},
	{name: "GOENV file emptied", do: func(s *scratch) { s.goenv("") }},
	{name: "edit the replaced module", do: func(s *scratch) { s.replace("other/x.go", "other-1", "other-2") }},
	{name: "go.work in the parent directory", do: func(s *scratch) {
		s.write("go.work", "go 1.24\n\nuse (\n\t./mod\n\t./other\n)\n")
	}},
	{name: "edit a workspace module", do: func(s *scratch) { s.replace("other/x.go", "other-2", "other-3") }},
	{name: "workspace replace of a module", do: func(s *scratch) {
		s.write("other2/go.mod", "module example.com/other\n\ngo 1.24\n")
		s.write("other2/x.go", "package other\n\nconst Name = \"other-two\"\n")
		s.write("go.work", "go 1.24\n\nuse ./mod\n\nreplace example.com/other => ./other2\n")
	}},
	{name: "edit the workspace replacement", do: func(s *scratch) { s.replace("other2/x.go", "other-two", "other-2b") }},
	{name: "go.work removed", do: func(s *scratch) { os.Remove(filepath.Join(s.ws, "go.work")) }},
	{name: "vendor directory created", do: func(s *scratch) { s.run(s.mod, "go", "mod", "vendor") }},
	{name: "edit a vendored file", do: func(s *scratch) {
		s.replace("mod/vendor/example.com/other/x.go", "other-3", "other-vendored")
	}},
	{name: "vendor directory removed", do: func(s *scratch) { os.RemoveAll(filepath.Join(s.mod, "vendor")) }},
	{name: "new local package imported", do: func(s *scratch) {
		s.write("mod/lib2/lib2.go", "package lib2\n\nconst V = \"two\"\n")
		s.replace("mod/app/main.go", "\"example.com/scratch/lib\"\n", "\"example.com/scratch/lib\"\n\t\"example.com/scratch/lib2\"\n")
		s.replace("mod/app/main.go", "other.Name,", "other.Name, lib2.V,")
	}},
	{name: "go directive changed", do: func(s *scratch) { s.replace("mod/go.mod", "go 1.24", "go 1.25") }},
	{name: ".ko.yaml ldflags with a git template", do: func(s *scratch) {
		s.write("mod/.ko.yaml", "defaultLdflags: [\"-s\", \"-w\", \"-X main.commit={{.Git.ShortCommit}}\"]\n")
	}},
	{name: "commit under a git ldflags template", do: func(s *scratch) { s.git("add", "-A"); s.git("commit", "-q", "-m", "ko") }},
	{name: ".ko.yaml ldflags with an env template", do: func(s *scratch) {
		s.setEnv("APPVER", "1.0")
		s.write("mod/.ko.yaml", "defaultLdflags: [\"-X main.version={{.Env.APPVER}}\"]\n")
	}},
	{name: "env value behind a template", do: func(s *scratch) { s.setEnv("APPVER", "2.0") }},
	{name: "kodata file edited", do: func(s *scratch) { s.write("mod/app/kodata/keep.md", "kodata 2\n") }},
	{name: "kodata file added", do: func(s *scratch) { s.write("mod/app/kodata/new.txt", "new\n") }},
	{name: "SOURCE_DATE_EPOCH", do: func(s *scratch) { s.created = time.Unix(1700000000, 0).UTC() }},
	{name: "base scratch", do: func(s *scratch) { s.base = pipeline.BaseScratch }},
	{name: "zstd compression", do: func(s *scratch) { s.compression = layers.Zstd }},
	{name: "cgo on in .ko.yaml env", cgo: true, do: func(s *scratch) {
		s.write("mod/.ko.yaml", "defaultEnv: [CGO_ENABLED=1]\n")
	}},
	{name: "cgo off again", do: func(s *scratch) { s.write("mod/.ko.yaml", "defaultLdflags: [\"-s\"]\n") }},
}

// TestCachedEqualsClean drives a scratch module through every kind of edit
// in edits and checks after each that the cached build publishes the digest
// of a clean build, and that the snapshot shortcut was tried against it.
func TestCachedEqualsClean(t *testing.T) {
	s := newScratch(t)
	if !s.check("initial") {
		t.Fatal("the snapshot never skipped the toolchain on an unchanged tree")
	}
	for _, e := range edits {
		s.step = e.name
		e.do(s)
		if fast := s.check(e.name); !fast && !e.cgo {
			t.Errorf("%s: the snapshot never skipped the toolchain afterwards", e.name)
		}
		if t.Failed() {
			t.FailNow() // later edits build on this state
		}
	}
}

// randomEdits are the repeatable edits the randomized test draws from.
var randomEdits = []func(s *scratch, r *rand.Rand){
	func(s *scratch, r *rand.Rand) {
		s.write("mod/lib/lib.go", fmt.Sprintf("package lib\n\nfunc Hello() string { return \"r-%03d\" }\n", r.IntN(1000)))
	},
	func(s *scratch, r *rand.Rand) { s.write("mod/app/msg.txt", fmt.Sprintf("m%d\n", r.IntN(3))) },
	func(s *scratch, r *rand.Rand) {
		p := filepath.Join(s.ws, "mod/app/static/r.txt")
		if r.IntN(2) == 0 {
			os.Remove(p)
			return
		}
		s.write("mod/app/static/r.txt", fmt.Sprint(r.IntN(9)))
	},
	func(s *scratch, r *rand.Rand) {
		p := filepath.Join(s.ws, "mod/app/r.go")
		if r.IntN(2) == 0 {
			os.Remove(p)
			return
		}
		s.write("mod/app/r.go", fmt.Sprintf("package main\n\nfunc init() { extra = \"r%d\" }\n", r.IntN(9)))
	},
	func(s *scratch, r *rand.Rand) { s.git("add", "-A"); s.git("commit", "-q", "--allow-empty", "-m", "r") },
	func(s *scratch, r *rand.Rand) { s.git("tag", "-f", fmt.Sprintf("v0.%d.0", r.IntN(4))) },
	func(s *scratch, r *rand.Rand) { s.write("mod/README.md", fmt.Sprint(r.IntN(3))) },
	func(s *scratch, r *rand.Rand) {
		s.goenv([]string{"", "GOAMD64=v2\n", "GOFLAGS=-tags=foo\n"}[r.IntN(3)])
	},
	func(s *scratch, r *rand.Rand) {
		s.setEnv("GOFLAGS", []string{"", "-buildvcs=false", "-tags=foo"}[r.IntN(3)])
	},
	func(s *scratch, r *rand.Rand) { s.replace("other/x.go", "\"", fmt.Sprintf("\"%d", r.IntN(10))) },
	func(s *scratch, r *rand.Rand) {
		s.write("mod/.ko.yaml", []string{"", "defaultLdflags: [-s]\n", "defaultLdflags: [\"-X main.commit={{.Git.ShortCommit}}\"]\n"}[r.IntN(3)])
	},
}

// TestCachedEqualsCleanRandomized applies a long seeded sequence of edits,
// several between builds, and compares after each batch. The seed is
// logged so a failure can be replayed.
func TestCachedEqualsCleanRandomized(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	s := newScratch(t)
	s.check("initial")
	for step := range 30 {
		var did []int
		for range 1 + r.IntN(3) {
			i := r.IntN(len(randomEdits))
			randomEdits[i](s, r)
			did = append(did, i)
		}
		s.step = fmt.Sprintf("step %d (edits %v, seed %d)", step, did, seed)
		s.check(s.step)
		if t.Failed() {
			t.FailNow()
		}
	}
}
