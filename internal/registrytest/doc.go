// Package registrytest runs the real Distribution registry (the code behind
// Docker Hub's open-source registry) in-process for tests, so that pushes are
// checked by the same implementation users run in production rather than by
// a lenient fake.
package registrytest
