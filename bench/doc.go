// Command bench measures hoist against ko and plain `go build` on this
// machine, side by side in one run: it starts its own Distribution registry
// on loopback, installs ko into a bench-local directory, builds the same
// packages with each tool in alternating order (cold, no-op, one-line change,
// two platforms, a 50 MiB binary) and prints medians and ratios. Ratios, not
// absolute times, are the result: they hold across machines of one kind.
//
// Run it with `go tool task bench` (or `go run ./bench`); it writes
// bench/RESULTS.md.
package main
