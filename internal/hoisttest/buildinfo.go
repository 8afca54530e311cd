package hoisttest

import "runtime/debug"

// BuildInfo is the build info of a Go binary of the sample shop module's
// example.com/shop/cmd/api, built by goVersion with deps and settings: the
// fixture the SBOM and provenance tests describe.
func BuildInfo(goVersion string, deps []*debug.Module, settings ...debug.BuildSetting) *debug.BuildInfo {
	return &debug.BuildInfo{
		GoVersion: goVersion,
		Path:      "example.com/shop/cmd/api",
		Main:      debug.Module{Path: "example.com/shop", Version: "(devel)"},
		Deps:      deps,
		Settings:  settings,
	}
}
