// Package ptytest runs a command on a pseudo-terminal, as a user's shell
// would, and renders what it wrote the way a terminal shows it: a test of a
// live display must look at the screen, because bytes that are correct one
// by one can still draw over each other.
package ptytest
