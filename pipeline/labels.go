package pipeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/hoist-build/hoist/build"
)

// moduleRoot is the directory kodata must stay inside: the package's module,
// or the package directory itself outside module mode.
func moduleRoot(pkg build.Package) string {
	if pkg.Module.Dir != "" {
		return pkg.Module.Dir
	}
	return pkg.Dir
}
func ports(p int) []string {
	if p == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d/tcp", p)}
}

// labels are the OCI annotations-as-labels that registries and scanners
// show; each is set only where it is known.
func labels(opts Options, t *target) map[string]string {
	git := t.data.Git
	out := map[string]string{
		"org.opencontainers.image.title":   t.imageName(),
		"org.opencontainers.image.created": opts.Created.UTC().Format(time.RFC3339),
	}
	// A build from a modified tree is not that commit or that release:
	// both labels then carry the "-dirty" that `git describe --dirty`
	// prints. The version is a tag only when HEAD is exactly at it; past
	// it the image is no release, and the revision says which commit.
	dirty := ""
	if git.IsDirty {
		dirty = "-dirty"
	}
	if git.FullCommit != "" {
		out["org.opencontainers.image.revision"] = git.FullCommit + dirty
	}
	if git.AtTag { // only set when git describe found a tag at HEAD
		out["org.opencontainers.image.version"] = git.Tag + dirty
	}
	if src := sourceURL(t.pkg.Module.Path); src != "" {
		out["org.opencontainers.image.source"] = src
	}
	for k, v := range opts.Labels {
		out[k] = v
	}
	return out
}

// sourceURL guesses the repository URL from a module path on a well-known
// forge; elsewhere the module path is not necessarily a URL, so none is set.
func sourceURL(module string) string {
	for _, host := range []string{"github.com/", "gitlab.com/", "bitbucket.org/", "codeberg.org/"} {
		if strings.HasPrefix(module, host) {
			parts := strings.SplitN(module, "/", 4)
			if len(parts) >= 3 {
				return "https://" + strings.Join(parts[:3], "/")
			}
		}
	}
	return ""
}
