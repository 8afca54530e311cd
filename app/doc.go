// Command app is the sample service that hoist builds into an image and
// ships as its reference workload: the Go counterpart of the classic FastAPI
// "Hello World / items" container example. It exists so the image builder has
// a realistic but tiny program to package and test end to end, one that runs
// as PID 1 in a distroless image as a non-root user, answers liveness and
// readiness probes, logs JSON to stdout, and drains in-flight requests on
// SIGTERM instead of dropping them. Its exit status is part of that contract:
// 0 only after a clean drain, 1 for a bind failure, bad configuration or an
// exceeded grace period.
package main
