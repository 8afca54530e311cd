// Package pipeline runs hoist's whole job for a set of Go main packages:
// compile each for every platform (build), write its layers (layers), stack
// them on the base (assemble) and hand the finished images to a publisher
// (publish). It publishes only after every image has been built, so one
// failing package or platform publishes nothing; commands such as `hoist
// build` and `hoist resolve` are thin wrappers around it.
package pipeline
