package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/hoist-build/hoist/config"
)

// settings is a command's configuration, merged once per invocation from
// its flags over HOIST_* (and ko's KO_* where hoist honours them) over
// .hoist.yaml (and .ko.yaml): plain values, parsed and checked. Only the
// groups of the command's flagSpec are filled in.
type settings struct {
	spec   flagSpec
	file   *config.Hoist
	ko     *config.Ko
	dest   destinationSettings
	remote remoteSettings
	build  buildSettings
	supply supplyChainSettings
	// given are the flags set on the command line.
	given map[string]bool
	// invocation is the command line, for the provenance.
	invocation []string
	// notes are the warnings the merge decided on, logged once by report
	// when the command's logger exists.
	notes []note
}

type note struct {
	level slog.Level
	msg   string
}

// report logs what the merge has to say: settings ignored or overridden.
func (s *settings) report(log *slog.Logger) {
	for _, n := range s.notes {
		log.Log(context.Background(), n.level, n.msg)
	}
	s.notes = nil
}

func (s *settings) warn(format string, args ...any) {
	s.notes = append(s.notes, note{slog.LevelWarn, fmt.Sprintf(format, args...)})
}

// reader reads merged keys: viper holds flags, HOIST_* and .hoist.yaml.
type reader struct {
	v     *viper.Viper
	flags *pflag.FlagSet
}

// list reads a list setting; from the environment it arrives as one string,
// split here on commas (and by viper on spaces).
func (r reader) list(key string, commas bool) []string {
	if !commas {
		return r.v.GetStringSlice(key)
	}
	return splitCommas(r.v.GetStringSlice(key))
}

// withSettings adapts run to cobra: the spec's flags are registered on cmd,
// and at run time merged, once, into the settings run receives.
func withSettings(cmd *cobra.Command, spec flagSpec, run func(*cobra.Command, []string, *settings) error) *cobra.Command {
	spec.register(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		s, err := loadSettings(cmd, spec, args)
		if err != nil {
			return err
		}
		return run(cmd, args, s)
	}
	return cmd
}

// loadSettings merges the settings of spec's groups from cmd's flags, the
// environment and the config files.
func loadSettings(cmd *cobra.Command, spec flagSpec, args []string) (*settings, error) {
	f := cmd.Flags()
	r, err := newReader(f, spec)
	if err != nil {
		return nil, err
	}
	s := &settings{spec: spec, file: &config.Hoist{}, ko: &config.Ko{}, given: map[string]bool{}, invocation: invocation(cmd, args)}
	f.Visit(func(fl *pflag.Flag) { s.given[fl.Name] = true })
	for _, d := range groupDefs {
		if spec.groups&d.group != 0 {
			if err := d.load(s, r); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// loadFiles reads .hoist.yaml (--config) and ko's config.
func (s *settings) loadFiles(r reader) error {
	var err error
	if s.file, err = loadHoistFile(r); err != nil {
		return err
	}
	s.ko, err = loadKo()
	return err
}

// newReader binds the command's flags and HOIST_* to viper's keys.
func newReader(f *pflag.FlagSet, spec flagSpec) (reader, error) {
	v := viper.New()
	v.SetEnvPrefix("HOIST")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if err := v.BindEnv("repo", "HOIST_REPO", "KO_DOCKER_REPO"); err != nil {
		return reader{}, err
	}
	if err := v.BindEnv("cache-dir", "HOIST_CACHE"); err != nil {
		return reader{}, err
	}
	if err := v.BindPFlags(f); err != nil {
		return reader{}, err
	}
	// The registry timeout keeps its key (HOIST_TIMEOUT, timeout in
	// .hoist.yaml) whatever its flag is called.
	if t := f.Lookup(spec.timeoutFlag()); t != nil {
		if err := v.BindPFlag("timeout", t); err != nil {
			return reader{}, err
		}
	}
	return reader{v: v, flags: f}, checkEnv(f, spec)
}

// checkEnv refuses a HOIST_* value its flag could not parse: viper reads
// HOIST_TIMEOUT=bogus (or a unitless 2) as 0 or 2ns, and 0 means none.
func checkEnv(f *pflag.FlagSet, spec flagSpec) error {
	var err error
	f.VisitAll(func(fl *pflag.Flag) {
		key := fl.Name
		switch {
		case err != nil, fl.Name == "timeout" && spec.timeoutFlag() != "timeout":
			return // the rollout wait, which no variable sets
		case fl.Name == spec.timeoutFlag():
			key = "timeout"
		}
		name := "HOIST_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
		val := os.Getenv(name)
		if val == "" {
			return
		}
		var perr error
		want := ""
		switch fl.Value.Type() {
		case "duration":
			_, perr = time.ParseDuration(val)
			want = "a duration with its unit, such as 30s (0 for none)"
		case "int":
			_, perr = strconv.Atoi(val)
			want = "a whole number"
		case "bool":
			_, perr = strconv.ParseBool(val)
			want = "true or false"
		}
		if perr != nil {
			err = fmt.Errorf("invalid %s %q: want %s", name, val, want)
		}
	})
	return err
}

// loadHoistFile reads --config strictly, then lets viper merge it: viper
// alone would silently ignore a misspelt key.
func loadHoistFile(r reader) (*config.Hoist, error) {
	path := r.v.GetString("config")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && (r.flags.Changed("config") || os.Getenv("HOIST_CONFIG") != "") {
		return nil, fmt.Errorf("reading the config file %s given by --config or HOIST_CONFIG: it does not exist", path)
	}
	file, err := config.LoadHoist(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil {
		r.v.SetConfigFile(path)
		r.v.SetConfigType("yaml")
		if err := r.v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
	}
	return file, nil
}

// invocation is the command line as the flags were parsed, for the
// provenance: every flag given by its long name, without the values of
// --env, which may carry secrets into a public document.
func invocation(cmd *cobra.Command, args []string) []string {
	out := strings.Fields(cmd.CommandPath())[1:]
	cmd.Flags().Visit(func(f *pflag.Flag) {
		values := []string{f.Value.String()}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			values = sv.GetSlice()
		}
		for _, v := range values {
			if f.Name == "env" {
				v = "<redacted>"
			}
			out = append(out, "--"+f.Name+"="+v)
		}
	})
	return append(out, args...)
}

func splitList(item string) []string {
	var out []string
	for _, part := range strings.Split(item, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func splitCommas(items []string) []string {
	var out []string
	for _, item := range items {
		out = append(out, splitList(item)...)
	}
	return out
}
