// Package faultproxy puts a reverse proxy on loopback in front of a test
// registry and makes it misbehave the way registries and the proxies before
// them do. A seeded, configurable fraction of requests is answered 500,
// 502, 503 or 429 (some with Retry-After) or has its connection reset, and
// every request can be slowed down; or, as a hostile registry (NewHostile),
// it drips, stalls, lies about sizes and digests, loops redirects, asks to
// come back in an hour, serves broken JSON or omits Docker-Content-Digest,
// so tests can prove hoist ends each case in one clear line within its
// bounds. It counts requests and faults by kind so tests can report what
// the client went through.
package faultproxy
