package registry

import (
	"net"
	"net/netip"
	"strings"
)

// Policy decides how each registry host is reached. The zero Policy allows
// plain http for loopback only.
type Policy struct {
	// Insecure lists registries (host or host:port, as in docker's
	// insecure-registries) that may be reached over plain http and whose TLS
	// certificates are not verified.
	Insecure []string
	// AllInsecure treats every registry as listed in Insecure (--insecure).
	AllInsecure bool
}

// Decision is how one host is reached.
type Decision struct {
	// PlainHTTP: http is tried when https fails; otherwise an http URL is
	// upgraded to https before anything is sent.
	PlainHTTP bool
	// SkipVerify: TLS certificates are not verified.
	SkipVerify bool
	// CredentialsOverHTTP: credentials may be sent in clear. Only loopback
	// traffic never leaves the machine, so only loopback gets them.
	CredentialsOverHTTP bool
}

// Decide is the policy for host (host or host:port). It is a pure function
// of its input: no name is resolved, so a name is loopback only when it is
// "localhost" itself.
func (p Policy) Decide(host string) Decision {
	if IsLoopback(host) {
		return Decision{PlainHTTP: true, SkipVerify: p.listed(host), CredentialsOverHTTP: true}
	}
	if p.listed(host) {
		return Decision{PlainHTTP: true, SkipVerify: true}
	}
	return Decision{}
}

// listed reports whether host is in Insecure: an entry with a port matches
// that port only, one without matches every port of the host.
func (p Policy) listed(host string) bool {
	if p.AllInsecure {
		return true
	}
	h, port := splitHost(host)
	for _, e := range p.Insecure {
		eh, eport := splitHost(strings.TrimSpace(e))
		if strings.EqualFold(eh, h) && (eport == "" || eport == port) {
			return true
		}
	}
	return false
}

// IsLoopback reports whether host (with or without a port) is a loopback
// address (127.0.0.0/8, ::1) or the name localhost. Other names, even
// *.localhost, may resolve anywhere and are not trusted to stay local.
func IsLoopback(host string) bool {
	h, _ := splitHost(host)
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Unmap().IsLoopback()
}

// splitHost separates an optional port; IPv6 literals may be bracketed.
func splitHost(host string) (string, string) {
	if h, port, err := net.SplitHostPort(host); err == nil {
		return h, port
	}
	return strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), ""
}
