// Package hoisttest holds what tests across hoist share: a controlled
// environment for running go and hoist (so a developer's GOENV file, GOFLAGS
// or HOIST_* variables never change what a test sees) and the rule that a
// test needing a tool skips on a developer's machine but fails in CI.
package hoisttest
