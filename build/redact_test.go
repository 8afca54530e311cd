package build

import (
	"reflect"
	"testing"
)

func TestRedact(t *testing.T) {
	delta := []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "API_TOKEN=s3cr3t-value", "GOPROXY=https://u:pw@proxy"}
	if got, want := redactEnv(delta), []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "API_TOKEN=<redacted>", "GOPROXY=<redacted>"}; !reflect.DeepEqual(got, want) {
		t.Errorf("redactEnv = %q, want %q", got, want)
	}
	environ := []string{"HOME=/root", "DEPLOY_KEY=ssh-key-material", "PATH=/usr/bin"}
	args := []string{"build", "-ldflags=-X main.t=s3cr3t-value -X main.k=ssh-key-material -X main.h=/root", "-o", "/out/linux"}
	want := []string{"build", "-ldflags=-X main.t=<redacted> -X main.k=<redacted> -X main.h=/root", "-o", "/out/linux"}
	if got := redactArgs(args, secretValues(delta, environ)); !reflect.DeepEqual(got, want) {
		t.Errorf("redactArgs = %q, want %q", got, want)
	}
}
