// Package faultproxy puts a reverse proxy on loopback in front of a test
// registry and makes it misbehave the way registries and the proxies before
// them do: a seeded, configurable fraction of requests is answered 500, 502,
// 503 or 429 (some with Retry-After) or has its connection reset, and every
// request can be slowed down. It counts requests and faults by kind so tests
// can report what the client went through.
package faultproxy
