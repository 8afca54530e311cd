// Command registry serves the Distribution registry on loopback with
// filesystem storage, for the benchmark and scripts: the same code as the
// production registry, without needing a package installed.
package main
