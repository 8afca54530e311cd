// Package kube applies, deletes and waits for Kubernetes objects the way
// `kubectl apply --server-side` does, through client-go alone, so hoist can
// deploy what it builds without kubectl on the machine. Objects are mapped
// to their API resources by discovery before anything is sent, so an
// unknown kind or a missing name fails the whole run up front; then each is
// server-side applied under one field manager and reported as it lands, so a
// rejection part-way names the object and field at fault and says what was
// already applied instead of leaving a silent half-apply. A re-apply that
// changes nothing leaves the resourceVersion as it was, which is how
// "unchanged" is told from "serverside-applied". Waiting follows kubectl's
// rollout status rules for Deployments.
package kube
