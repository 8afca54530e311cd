package pipeline_test

import (
	"context"
	"crypto/md5"
	"fmt"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/pipeline"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// emptyMain is a command that does nothing.
const emptyMain = "package main\n\nfunc main() {}\n"

// TestBinaryKeepsCase: ko names the binary after the last path element as
// written (/ko-app/initContainer); only the image name is lowercased.
func TestBinaryKeepsCase(t *testing.T) {
	host := registrytest.New(t)
	opts := koModule(t, host, "", emptyMain)
	hoisttest.WriteFiles(t, opts.Dir, map[string]string{"cmd/initContainer/main.go": emptyMain})
	opts.Packages = []string{"./cmd/initContainer"}
	res := run(t, opts)
	if res.ImageName != "initcontainer" {
		t.Errorf("image name %q, want initcontainer", res.ImageName)
	}
	img := pull(t, res.Ref)
	if ep := must(img.ConfigFile()).Config.Entrypoint; strings.Join(ep, " ") != "/ko-app/initContainer" {
		t.Errorf("entrypoint %q, want /ko-app/initContainer", ep)
	}
	ls := must(img.Layers())
	if readTar(t, ls[len(ls)-1])["ko-app/initContainer"] == nil {
		t.Error("no ko-app/initContainer in the binary layer")
	}
}

// TestSameNameGetsKoNames: two commands with one last path element (as in
// sigstore/scaffolding) are both built, named as ko names images by default.
func TestSameNameGetsKoNames(t *testing.T) {
	host := registrytest.New(t)
	opts := koModule(t, host, "", emptyMain)
	hoisttest.WriteFiles(t, opts.Dir, map[string]string{"tuf/createsecret/main.go": emptyMain, "rekor/createsecret/main.go": emptyMain})
	opts.Packages = []string{"./tuf/createsecret", "./rekor/createsecret"}
	res, err := pipeline.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // createsecret-md5(import path), as ko's packageWithMD5
		"example.com/kotest/tuf/createsecret":   fmt.Sprintf("createsecret-%x", md5.Sum([]byte("example.com/kotest/tuf/createsecret"))),
		"example.com/kotest/rekor/createsecret": fmt.Sprintf("createsecret-%x", md5.Sum([]byte("example.com/kotest/rekor/createsecret"))),
	}
	if len(res) != 2 {
		t.Fatalf("%d images, want 2", len(res))
	}
	for _, r := range res {
		if r.ImageName != want[r.ImportPath] {
			t.Errorf("%s published as %s, want %s", r.ImportPath, r.ImageName, want[r.ImportPath])
		}
	}
}
