// Package hostile runs a misbehaving registry on 127.0.0.1 for tests: a
// proxy in front of a real (plain-http) registry that drips, stalls, lies
// about sizes and digests, loops redirects, asks to come back forever,
// serves broken JSON or omits Docker-Content-Digest, so tests can prove
// hoist ends each case in one clear line within its bounds.
package hostile
