// Package user runs the hoist command as a person does on their own small
// service, not the sample app: on a terminal, in CI, interrupted with
// Ctrl-C, and through the README's first-five-minutes walkthrough.
package user
