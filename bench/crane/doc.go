// Command crane is the benchmark's large program: crane's real command tree,
// a main with many dependencies, so build and packaging times are measured
// on something the size of a real service rather than a hello world.
package main
