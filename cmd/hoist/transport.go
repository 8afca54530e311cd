package main

import (
	"os"
	"strings"

	"github.com/hoist-build/hoist/registry"
)

// loopbackHosts is what a repository's insecure: true is narrowed to.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// applyTransport sets the transport policy from --insecure and
// --insecure-registry (or HOIST_INSECURE, HOIST_INSECURE_REGISTRY), the
// user's own choices, and from the same keys in .hoist.yaml, which the
// repository controls: from there they apply to loopback registries only,
// with one warning line saying what was ignored and how to confirm it.
func (s *settings) applyTransport(r reader) error {
	rs := &s.remote
	insecure, userSet := s.userInsecure(r)
	userList := s.userInsecureRegistries(r)
	rs.insecure, rs.insecureRegistries = insecure, userList
	if s.file.Insecure && !userSet {
		rs.insecureRegistries = append(rs.insecureRegistries, loopbackHosts...)
		s.warn(".hoist.yaml sets insecure: true: applied to loopback registries only, as a repository may not turn off TLS for yours; pass --insecure (or HOIST_INSECURE=true) to confirm it")
	}
	var ignored []string
	for _, h := range s.file.InsecureRegistries {
		switch {
		case registry.IsLoopback(h) || (registry.Policy{Insecure: userList, AllInsecure: insecure}).Decide(h).PlainHTTP:
			rs.insecureRegistries = append(rs.insecureRegistries, h)
		default:
			ignored = append(ignored, h)
		}
	}
	if len(ignored) > 0 {
		s.warn(".hoist.yaml insecure-registries %s ignored: a repository may list loopback registries only; pass --insecure-registry HOST (or HOIST_INSECURE_REGISTRY) to confirm", strings.Join(ignored, ","))
	}
	if rs.insecure {
		s.warn("--insecure: every registry may be reached over plain http and TLS certificates are not verified (credentials still go over plain http to loopback only)")
	} else if len(userList) > 0 {
		s.warn("insecure registries %s: plain http allowed and TLS certificates not verified (credentials still go over plain http to loopback only)", strings.Join(userList, ","))
	}
	return nil
}

// userInsecure is --insecure, else HOIST_INSECURE (which checkEnv has
// already refused unless it is a bool); set says whether the user gave
// either, as .hoist.yaml's insecure must not count as the user's.
func (s *settings) userInsecure(r reader) (value, set bool) {
	if s.given["insecure"] || os.Getenv("HOIST_INSECURE") != "" {
		return r.v.GetBool("insecure"), true
	}
	return false, false
}

// userInsecureRegistries is --insecure-registry (repeatable, or
// comma-separated) and HOIST_INSECURE_REGISTRY (comma-separated).
func (s *settings) userInsecureRegistries(r reader) []string {
	given, _ := r.flags.GetStringArray("insecure-registry")
	return splitCommas(append(given, os.Getenv("HOIST_INSECURE_REGISTRY")))
}
