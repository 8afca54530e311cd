// Package faults tests hoist when publishing goes wrong, against the real
// Distribution registry: pushes through a proxy that fails, resets and
// slows down requests must still land the exact image or fail with one
// clear line and no tag; a hoist process killed at any moment must never
// leave a tag pointing at an incomplete image; and registries behind basic
// auth and TLS must accept the right credentials and CA, and refuse the
// wrong ones without a silent fallback to plain http. It holds tests only.
package faults
