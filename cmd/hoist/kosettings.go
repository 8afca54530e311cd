package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/hoist-build/hoist/config"
)

// loadKo reads ko's config where ko would (KO_CONFIG_PATH, else .ko.json,
// .ko.yaml, .ko.yml... in the working directory) and applies the KO_*
// variables ko's viper reads.
func loadKo() (*config.Ko, error) {
	path, err := config.FindKo(".", os.Getenv("KO_CONFIG_PATH"))
	if err != nil {
		return nil, err
	}
	ko := &config.Ko{}
	if path != "" {
		if ko, err = config.LoadKo(path); err != nil {
			return nil, err
		}
	}
	return ko, config.ApplyKoEnv(ko, os.Getenv)
}

// source says where a setting hoist and ko share comes from, highest first:
// the flag, HOIST_*, KO_*, .hoist.yaml, .ko.yaml.
type source int

const (
	fromNone source = iota
	fromKoFile
	fromHoistFile
	fromKoEnv
	fromHoistEnv
	fromFlag
)

func (s *settings) sourceOf(flag, hoistEnv, koEnv string, inHoistFile, inKoFile bool) source {
	switch {
	case s.given[flag]:
		return fromFlag
	case os.Getenv(hoistEnv) != "":
		return fromHoistEnv
	case koEnv != "" && os.Getenv(koEnv) != "":
		return fromKoEnv
	case inHoistFile:
		return fromHoistFile
	case inKoFile:
		return fromKoFile
	}
	return fromNone
}

// applyBase picks the base: one given to hoist (flag, HOIST_BASE, or
// .hoist.yaml unless KO_DEFAULTBASEIMAGE is set, as the environment beats
// files) is every package's; otherwise ko's rules, where
// baseImageOverrides beats KO_DEFAULTBASEIMAGE and defaultBaseImage.
func (s *settings) applyBase(r reader) {
	b := &s.build
	src := s.sourceOf("base", "HOIST_BASE", "KO_DEFAULTBASEIMAGE", s.file.Base != "", s.ko.DefaultBaseImage != "")
	switch src {
	case fromFlag, fromHoistEnv, fromHoistFile:
		b.base = r.v.GetString("base")
		return
	case fromKoEnv:
		if s.file.Base != "" {
			s.warn(".hoist.yaml base %s is overridden by KO_DEFAULTBASEIMAGE (the environment beats files): unset it, or pass --base, to use the file's", s.file.Base)
		}
	}
	b.base, b.defaultBase, b.baseOverrides = "", s.ko.DefaultBaseImage, s.ko.BaseImageOverrides
}

func (s *settings) platformSource() source {
	return s.sourceOf("platform", "HOIST_PLATFORM", "KO_DEFAULTPLATFORMS", len(s.file.Platform) > 0, len(s.ko.DefaultPlatforms) > 0)
}

// platformNames applies the same order to the platforms: --platform,
// HOIST_PLATFORM, KO_DEFAULTPLATFORMS, .hoist.yaml, .ko.yaml's
// defaultPlatforms, else the flag's default.
func (s *settings) platformNames(r reader) []string {
	switch s.platformSource() {
	case fromKoEnv, fromKoFile:
		return splitCommas(s.ko.DefaultPlatforms)
	}
	return r.list("platform", true)
}

// koWarnings notes what .ko.yaml holds that hoist (like ko) ignores, and
// where hoist's answer deliberately differs from ko's.
func (s *settings) koWarnings() {
	for _, w := range s.ko.Warnings {
		s.warn("%s", w)
	}
	created := s.build.created
	usesDate := s.ko.HasTemplate(".Date") || s.ko.HasTemplate(".Timestamp")
	if _, offset := created.In(time.Local).Zone(); usesDate && os.Getenv("SOURCE_DATE_EPOCH") == "" {
		s.warn("%s: {{.Date}}/{{.Timestamp}} is %s (the epoch, for reproducible builds), where ko uses the current time: set SOURCE_DATE_EPOCH",
			s.ko.Path, created.Format(time.RFC3339))
	} else if usesDate && offset != 0 && s.ko.HasTemplate(".Date") {
		s.warn("%s: {{.Date}} is %s in UTC, where ko writes it in the local time zone (TZ): set TZ=UTC for the same binary from both",
			s.ko.Path, created.Format(time.RFC3339))
	}
	s.koBuildWarnings()
	for _, ignored := range [][2]string{
		{"KO_DATA_DATE_EPOCH", "kodata files are dated SOURCE_DATE_EPOCH, like every file"},
		{"KO_GO_PATH", "hoist runs the go command found on PATH"},
	} {
		if os.Getenv(ignored[0]) != "" {
			s.warn("%s is not read: %s", ignored[0], ignored[1])
		}
	}
	if os.Getenv("GOOS") != "" || os.Getenv("GOARCH") != "" {
		s.warn("GOOS/GOARCH in the environment are ignored: hoist builds the platforms of --platform (ko would build GOOS/GOARCH when no platform is set)")
	}
}

// koBuildWarnings notes builds entries ko and hoist treat differently.
func (s *settings) koBuildWarnings() {
	for i, b := range s.ko.Builds {
		if b.Dir != "" && filepath.Clean(b.Dir) != "." {
			if _, err := os.Stat(filepath.Join(b.Dir, "go.mod")); err == nil {
				s.warn("%s:%d: builds[%d] (id %q) has dir %s, a module of its own: ko runs go there, hoist runs it in the working directory; run hoist in %s to build it",
					s.ko.Path, b.Line, i, b.ID, b.Dir, b.Dir)
			}
		}
		if _, err := os.Stat(filepath.Join(b.Dir, b.Main)); err != nil {
			s.warn("%s:%d: builds[%d] (id %q) names %s, which does not exist: ko refuses the whole file, hoist ignores the entry",
				s.ko.Path, b.Line, i, b.ID, filepath.Join(b.Dir, b.Main))
		}
	}
}
