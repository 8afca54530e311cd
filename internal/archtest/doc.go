// Package archtest holds no code, only the tests that enforce the
// dependency rules of docs/architecture.md: which of hoist's packages may
// import which, so that data keeps flowing one way (cmd/hoist → pipeline →
// build → layers → assemble → publish) and a library never reaches up; that
// every library package has a rule, even one importing nothing of hoist's;
// and that the document's table states the same rules as the test.
package archtest
