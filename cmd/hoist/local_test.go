package main

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/kube"
)

// TestLocalDestinationRefusals checks that each misconfigured registry-less
// destination fails in one line naming what is missing, before building.
func TestLocalDestinationRefusals(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	dir := svcModule(t, nil)
	missing := filepath.Join(t.TempDir(), "none.sock")
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no containerd socket", nil, []string{"--repo", "containerd.local", "--containerd-address", missing}, "no socket at " + missing},
		{"socket from CONTAINERD_ADDRESS", map[string]string{"CONTAINERD_ADDRESS": missing}, []string{"--repo", "containerd.local"}, "no socket at " + missing},
		{"bare without a path", nil, []string{"--repo", "containerd.local", "--bare"}, "--bare needs a repository path"},
		// PATH holds only the go command: no kind.
		{"kind not installed", map[string]string{"PATH": filepath.Dir(goBin)}, []string{"--repo", "kind.local"}, "kind CLI, which is not on PATH"},
		{"kind.local with a path", nil, []string{"--repo", "kind.local/team"}, "kind.local takes no path"},
		{"KO_DOCKER_REPO=kind.local", map[string]string{"KO_DOCKER_REPO": "kind.local", "PATH": filepath.Dir(goBin)}, nil, "kind CLI, which is not on PATH"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("CONTAINERD_ADDRESS", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			// Not runHoist, which clears the repository variables.
			t.Chdir(dir)
			var stdout bytes.Buffer
			root := newRoot()
			root.SetOut(&stdout)
			root.SetErr(io.Discard)
			root.SetArgs(append(append([]string{"build", "--cache-dir", t.TempDir()}, tc.args...), "./cmd/api"))
			err := root.ExecuteContext(context.Background())
			out := stdout.String()
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line containing %q", err, tc.want)
			}
			if out != "" {
				t.Errorf("printed %q after failing", out)
			}
		})
	}
}

func TestCheckLocalPulls(t *testing.T) {
	const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      initContainers: [{name: init, image: "ko://example.com/svc/cmd/worker"}]
      containers:
        - {name: api, image: "ko://example.com/svc/cmd/api", imagePullPolicy: %s}
        - {name: proxy, image: "nginx:1.27", imagePullPolicy: Always}
`
	cases := []struct {
		repo, policy string
		refused      bool
	}{
		{"containerd.local", "Always", true},
		{"containerd.local/team", "Always", true},
		{"kind.local", "Always", true},
		{"containerd.local", "IfNotPresent", false},
		{"containerd.local", "Never", false},
		{"127.0.0.1:5000/team", "Always", false},
	}
	for _, tc := range cases {
		objs, err := kube.Decode([]byte(strings.Replace(deployment, "%s", tc.policy, 1)))
		if err != nil {
			t.Fatal(err)
		}
		err = checkLocalPulls(objs, tc.repo)
		if got := err != nil; got != tc.refused {
			t.Errorf("repo %s, policy %s: err = %v, want refused %v", tc.repo, tc.policy, err, tc.refused)
		}
		if err != nil && !strings.Contains(err.Error(), "container api") {
			t.Errorf("error %q does not name the container", err)
		}
	}
}
