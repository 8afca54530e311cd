package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Options describes one `go build` of one package for one platform.
type Options struct {
	// Dir is where the go command runs, so it finds the right go.mod.
	Dir string
	// Package is what to build: "./app", "." or an import path.
	Package string
	// Platform selects GOOS/GOARCH and, from the variant, GOARM or GOAMD64.
	// The zero value means linux/amd64.
	Platform v1.Platform
	// Environ is the base environment of the go command and of git, and the
	// source of {{.Env.X}}; typically os.Environ().
	Environ []string
	// Env is extra KEY=value entries from the config, passed as they are
	// (ko does not expand templates there). It is the place to re-enable
	// cgo with CGO_ENABLED=1.
	Env []string
	// Flags are extra go build flags, templated, e.g. -tags=netgo.
	Flags []string
	// Ldflags are templated and joined with spaces into one -ldflags.
	Ldflags []string
	// Output is the path of the binary to write.
	Output string
	// Stderr receives the go command's own output verbatim, so compile
	// errors read exactly as they would from `go build`. When nil that
	// output is attached to the returned error instead.
	Stderr io.Writer
	// Logger gets debug records of the command run; nil discards them.
	Logger *slog.Logger
	// Time is the build time behind {{.Date}} and {{.Timestamp}}; callers
	// derive it from SOURCE_DATE_EPOCH for reproducible builds.
	Time time.Time
	// Data, when set, is the template data to use instead of gathering it
	// again: callers that build one package for several platforms or also
	// need the git facts for labels ask git once.
	Data *Data
}

// targetVars are the variables that pick what the compiler emits. They are
// cleared from Environ because a GOARM or GOAMD64 left in the user's shell
// would silently produce a binary for a different platform than the image
// claims.
var targetVars = []string{"GOOS", "GOARCH", "GOARM", "GOARM64", "GOAMD64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64", "GORISCV64", "GOWASM"}

// Build runs `go build [flags] -trimpath [-ldflags ...] -o Output -- Package`
// for opts.Platform. It does not check that Package is a main package; call
// Inspect first for a clear message.
func Build(ctx context.Context, opts Options) error {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	platform := normalizePlatform(opts.Platform)
	what := fmt.Sprintf("building %s for %s", opts.Package, platformString(platform))
	env, args, err := command(ctx, opts, platform)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	goPath, err := lookPath("go", opts.Environ)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	cmd := exec.CommandContext(ctx, goPath, args...)
	cmd.Dir = opts.Dir
	cmd.Env = env
	interruptGroup(cmd)
	// The tail of go's output is kept, bounded, for the error and its hint;
	// with a Stderr it is also shown verbatim as it comes.
	tail := &tailBuffer{max: 16 << 10}
	// One writer for both, so exec shares one pipe: two copying goroutines
	// writing into one buffer would race and lose output.
	var out io.Writer = tail
	if opts.Stderr != nil {
		out = io.MultiWriter(opts.Stderr, tail)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if logger.Enabled(ctx, slog.LevelDebug) {
		delta := envDelta(opts.Environ, env)
		logger.DebugContext(ctx, "running go", "dir", opts.Dir, "args", redactArgs(args, secretValues(delta, opts.Environ)), "env", redactEnv(delta))
	}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			killGroup(cmd)
			return fmt.Errorf("%s: %w", what, context.Cause(ctx))
		}
		hint := cgoHint(tail.String(), env)
		if out := oneLine(tail.String()); out != "" && opts.Stderr == nil {
			return fmt.Errorf("%s: %w: %s%s", what, err, out, hint)
		}
		return fmt.Errorf("%s: %w%s", what, err, hint)
	}
	return nil
}

// Command returns the environment and arguments Build would run go with,
// templates expanded: what a cache key must cover.
func Command(ctx context.Context, opts Options) (env, args []string, err error) {
	return command(ctx, opts, normalizePlatform(opts.Platform))
}

// command expands the templates and assembles the environment and arguments
// of the go build invocation.
func command(ctx context.Context, opts Options, platform v1.Platform) (env, args []string, err error) {
	if opts.Package == "" || opts.Output == "" {
		return nil, nil, errors.New("package and output are required")
	}
	env, err = buildEnv(opts, platform)
	if err != nil {
		return nil, nil, err
	}
	data := opts.Data
	if data == nil {
		d := NewData(ctx, opts.Dir, opts.Environ, opts.Time)
		data = &d
	}
	if err := refuseToolexec("GOFLAGS", strings.Fields(envValue(env, "GOFLAGS"))); err != nil {
		return nil, nil, err
	}
	d, err := data.forBuild(ctx, env, opts.Flags, opts.Ldflags)
	if err != nil {
		return nil, nil, err
	}
	flags, err := d.Expand("flags", opts.Flags)
	if err != nil {
		return nil, nil, err
	}
	ldflags, err := d.Expand("ldflags", opts.Ldflags)
	if err != nil {
		return nil, nil, err
	}
	if err := refuseToolexec("flags", flags); err != nil {
		return nil, nil, err
	}
	// ko's order: flags, -trimpath, then -ldflags, so that -ldflags from
	// ldflags wins over one in flags and a -trimpath=false is overridden.
	args = append([]string{"build"}, flags...)
	args = append(args, "-trimpath")
	if len(ldflags) > 0 {
		args = append(args, "-ldflags="+strings.Join(ldflags, " "))
	}
	args = append(args, "-o", opts.Output, "--", opts.Package)
	return env, args, nil
}

// refuseToolexec refuses -toolexec as ko does, in flags or GOFLAGS: it runs
// an arbitrary program for every compile and link, which a config file
// checked into a repository must not be able to ask for.
func refuseToolexec(where string, args []string) error {
	for _, a := range args {
		for _, d := range []string{"-", "--"} {
			if a == d+"toolexec" || strings.HasPrefix(a, d+"toolexec=") {
				return fmt.Errorf("%s: %s runs an arbitrary program during the build: hoist refuses it, as ko does; remove it", where, a)
			}
		}
	}
	return nil
}

func envValue(env []string, key string) string {
	v, _ := envLookup(env, key)
	return v
}

// envDelta lists the entries of env that differ from base, which is all a
// reader of the debug log needs; the full environment may hold secrets.
func envDelta(base, env []string) []string {
	have := make(map[string]bool, len(base))
	for _, kv := range base {
		have[kv] = true
	}
	var delta []string
	for _, kv := range env {
		if !have[kv] {
			delta = append(delta, kv)
		}
	}
	return delta
}

// safeEnv are the variables whose values debug logs may show: they steer
// the toolchain and carry nothing secret. Any other value may have been
// templated from the process environment (a token, a password) and is
// shown as its key alone.
var safeEnv = map[string]bool{
	"GOOS": true, "GOARCH": true, "GOARM": true, "GOARM64": true, "GOAMD64": true, "GO386": true,
	"GOMIPS": true, "GOMIPS64": true, "GOPPC64": true, "GORISCV64": true, "GOWASM": true,
	"CGO_ENABLED": true, "GOFLAGS": true, "GOEXPERIMENT": true, "GOTOOLCHAIN": true,
}

// redacted stands in for a value a log must not show.
const redacted = "<redacted>"

// redactEnv keeps the keys of env and the values of safeEnv entries.
func redactEnv(env []string) []string {
	out := make([]string, len(env))
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if safeEnv[k] {
			out[i] = kv
		} else {
			out[i] = k + "=" + redacted
		}
	}
	return out
}

// secretValues are the values that must not reach a log through the go
// arguments either (an ldflags -X templated from the environment): those of
// the unsafe entries of delta and of process variables whose name says
// secret. Short values are left alone, as they would redact ordinary words.
func secretValues(delta, environ []string) []string {
	var out []string
	add := func(kv string, must bool) {
		k, v, _ := strings.Cut(kv, "=")
		if !safeEnv[k] && len(v) >= 4 && (must || secretName(k)) {
			out = append(out, v)
		}
	}
	for _, kv := range delta {
		add(kv, true)
	}
	for _, kv := range environ {
		add(kv, false)
	}
	return out
}

func secretName(k string) bool {
	k = strings.ToUpper(k)
	for _, w := range []string{"TOKEN", "SECRET", "PASSW", "KEY", "CRED", "AUTH", "PRIVATE"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func redactArgs(args, secrets []string) []string {
	if len(secrets) == 0 {
		return args
	}
	pairs := make([]string, 0, 2*len(secrets))
	for _, v := range secrets {
		pairs = append(pairs, v, redacted)
	}
	r := strings.NewReplacer(pairs...)
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = r.Replace(a)
	}
	return out
}

// oneLine collapses multi-line tool output so it fits in an error message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
