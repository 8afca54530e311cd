package publish

import (
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// FuzzRepository feeds arbitrary repositories, image names and tags to the
// checks that run before anything is built: none may panic, every refusal
// is one line, and whatever is accepted is a reference ggcr can use.
func FuzzRepository(f *testing.F) {
	for _, s := range [][3]string{
		{"ghcr.io/acme", "app", "latest"}, {"127.0.0.1:5000/x", "App", "v1.2"}, {"UPPER/x", "a", "-x"},
		{"", "", ""}, {"a/b/c/d", "x/y", strings.Repeat("t", 129)}, {"host:notaport/x", "a b", "a:b"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, repo, image, tag string) {
		r, err := NewRegistry(RegistryOptions{Repo: repo, Tags: []string{tag}})
		if hoisttest.Refused(t, err) {
			return
		}
		ref, err := r.Repository(ImageName(image))
		if hoisttest.Refused(t, err) {
			return
		}
		if ref.Tag(tag).String() == "" {
			t.Errorf("accepted %q %q %q but built an empty reference", repo, image, tag)
		}
	})
}
