package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/registry"
)

// loopbackHosts is what a repository's insecure: true is narrowed to.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// applyTransport sets the transport policy of opts from --insecure and
// --insecure-registry (or HOIST_INSECURE, HOIST_INSECURE_REGISTRY), the
// user's own choices, and from the same keys in .hoist.yaml, which the
// repository controls: from there they apply to loopback registries only,
// with one warning line saying what was ignored and how to confirm it.
func applyTransport(opts *registry.Options, flags *pflag.FlagSet, file *config.Hoist, log *slog.Logger) error {
	insecure, userSet, err := userInsecure(flags)
	if err != nil {
		return err
	}
	userList := userInsecureRegistries(flags)
	opts.Insecure = insecure
	opts.InsecureRegistries = userList
	if file == nil {
		return nil
	}
	if file.Insecure && !userSet {
		opts.InsecureRegistries = append(opts.InsecureRegistries, loopbackHosts...)
		log.Warn(".hoist.yaml sets insecure: true: applied to loopback registries only, as a repository may not turn off TLS for yours; pass --insecure (or HOIST_INSECURE=true) to confirm it")
	}
	var ignored []string
	for _, h := range file.InsecureRegistries {
		switch {
		case registry.IsLoopback(h) || (registry.Policy{Insecure: userList, AllInsecure: insecure}).Decide(h).PlainHTTP:
			opts.InsecureRegistries = append(opts.InsecureRegistries, h)
		default:
			ignored = append(ignored, h)
		}
	}
	if len(ignored) > 0 {
		log.Warn(fmt.Sprintf(".hoist.yaml insecure-registries %s ignored: a repository may list loopback registries only; pass --insecure-registry HOST (or HOIST_INSECURE_REGISTRY) to confirm", strings.Join(ignored, ",")))
	}
	if opts.Insecure {
		log.Warn("--insecure: every registry may be reached over plain http and TLS certificates are not verified (credentials still go over plain http to loopback only)")
	} else if len(userList) > 0 {
		log.Warn("insecure registries: plain http allowed and TLS certificates not verified (credentials still go over plain http to loopback only)", "registries", strings.Join(userList, ","))
	}
	return nil
}

// userInsecure is --insecure, else HOIST_INSECURE; set says whether the
// user gave either.
func userInsecure(flags *pflag.FlagSet) (value, set bool, err error) {
	if f := flags.Lookup("insecure"); f != nil && f.Changed {
		v, _ := flags.GetBool("insecure")
		return v, true, nil
	}
	if s, ok := os.LookupEnv("HOIST_INSECURE"); ok && s != "" {
		v, err := strconv.ParseBool(s)
		if err != nil {
			return false, false, fmt.Errorf("invalid HOIST_INSECURE %q: want true or false", s)
		}
		return v, true, nil
	}
	return false, false, nil
}

// userInsecureRegistries is --insecure-registry (repeatable, or
// comma-separated) and HOIST_INSECURE_REGISTRY (comma-separated).
func userInsecureRegistries(flags *pflag.FlagSet) []string {
	var raw []string
	if flags.Lookup("insecure-registry") != nil {
		raw, _ = flags.GetStringArray("insecure-registry")
	}
	raw = append(raw, os.Getenv("HOIST_INSECURE_REGISTRY"))
	var out []string
	for _, item := range raw {
		for _, h := range strings.Split(item, ",") {
			if h = strings.TrimSpace(h); h != "" {
				out = append(out, h)
			}
		}
	}
	return out
}
