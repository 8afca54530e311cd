// Package archtest holds no code, only the test that enforces the
// dependency rules of docs/architecture.md: which of hoist's packages may
// import which, so that data keeps flowing one way (cmd/hoist → pipeline →
// build → layers → assemble → publish) and a library never reaches up.
package archtest
