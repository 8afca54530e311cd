// Package dev is the inner loop of `hoist dev`: it finds the source
// directories each ko:// image is built from (the main module's packages it
// imports, and its kodata), watches them and the manifests with fsnotify,
// turns a burst of editor writes into one batch of changed files, tells
// which images a batch affects, and streams the logs of a workload's pods
// with a prefix per pod. Building, loading and applying stay with the
// pipeline and kube packages; this package decides what to redo.
package dev
