// Package registrytest runs the real Distribution registry (the code behind
// Docker Hub's open-source registry) in-process for tests, so that pushes are
// checked by the same implementation users run in production rather than by
// a lenient fake. It can require htpasswd basic auth and serve TLS with a
// certificate from a CA made for the test, to exercise credentials and
// certificate trust the way a remote registry would.
package registrytest
