package pipeline

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/layers"
)

// koEntry is what .ko.yaml says about building one package.
type koEntry struct {
	ID                  string
	Env, Flags, Ldflags []string
	// Capability is the security.capability xattr of the binary: hoist's
	// cap_net_bind_service=+ep unless the entry's linux_capabilities says
	// otherwise ("" for none).
	Capability string
	// CapabilityText describes it for the layer history.
	CapabilityText string
}

// koBuild finds the .ko.yaml builds entry for a package directory and
// returns its settings with ko's defaults applied, as ko does: each of an
// entry's env, flags and ldflags, when not empty, replaces the default; a
// main naming a .go file stands for its directory.
func koBuild(ko *config.Ko, koDir, pkgDir string) (koEntry, error) {
	e := koEntry{Capability: layers.DefaultCapability(), CapabilityText: "cap_net_bind_service=+ep"}
	if ko == nil {
		return e, nil
	}
	e.Env, e.Flags, e.Ldflags = ko.DefaultEnv, ko.DefaultFlags, ko.DefaultLdflags
	// ko keys the entries by import path in a map, so of two entries for
	// one package the last wins.
	match := -1
	for i, b := range ko.Builds {
		main := filepath.Join(koDir, b.Dir, b.Main)
		if fi, err := os.Stat(main); err == nil && fi.Mode().IsRegular() {
			main = filepath.Dir(main)
		}
		if filepath.Clean(main) == filepath.Clean(pkgDir) {
			match = i
		}
	}
	if match < 0 {
		return e, nil
	}
	b := ko.Builds[match]
	e.ID = b.ID
	if len(b.Env) > 0 {
		e.Env = b.Env
	}
	if len(b.Flags) > 0 {
		e.Flags = b.Flags
	}
	if len(b.Ldflags) > 0 {
		e.Ldflags = b.Ldflags
	}
	if b.LinuxCapabilities != nil {
		c, err := layers.FileCapability(b.LinuxCapabilities)
		if err != nil {
			return e, err
		}
		e.Capability, e.CapabilityText = c, strings.Join(b.LinuxCapabilities, " ")
		if c == "" {
			e.CapabilityText = "no capability"
		}
	}
	return e, nil
}

// userFor is the image's user: --user, or hoist's default where the base
// names none.
func userFor(opts Options, base v1.Image) string {
	if !opts.UserIfUnset {
		return opts.User
	}
	if cfg, err := base.ConfigFile(); err == nil && cfg.Config.User != "" {
		return cfg.Config.User
	}
	return opts.User
}

// appFilename is ko's name for a package's binary: its last path element.
func appFilename(importPath string) string {
	base := path.Base(importPath)
	if base == "." || base == "/" {
		return "ko-app"
	}
	return base
}
