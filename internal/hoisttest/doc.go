// Package hoisttest holds what tests across hoist share: a controlled
// environment for running go and hoist (so a developer's GOENV file, GOFLAGS
// or HOIST_* variables never change what a test sees), the hoist command
// built once per test package and run (Main, Binary, Run, HostEnviron), the
// one rule that a test needing a tool or root skips on a developer's machine
// but fails in CI (Need, NeedRoot, NeedTools), throwaway modules and file
// trees, the check of a table case's expected error, fuzz-corpus seeding
// with the one-line error rule, certificates for test servers, and reads of
// what image and supply-chain tests check (Must, Zoneinfo, LayerDigests,
// BuildInfo, TarEntries, LayerEntries).
package hoisttest
