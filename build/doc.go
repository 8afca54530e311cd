// Package build turns a Go main package into a binary for one target
// platform, the first half of what hoist does before the binary is packed
// into an image. It wraps the go command rather than the compiler internals
// so that builds behave exactly like the user's own `go build`: same module
// resolution, same GOFLAGS, same diagnostics. On top of that it adds the few
// things an image build needs and plain `go build` does not give: mapping an
// OCI platform to GOOS/GOARCH/GOARM/GOAMD64, reproducible defaults
// (-trimpath, CGO_ENABLED=0) and ko-compatible templates for env, flags and
// ldflags. Toolchain is the go command as go env describes it (GOENV file
// included), asked once per run. Nothing here reads the process
// environment; callers pass it in.
package build
