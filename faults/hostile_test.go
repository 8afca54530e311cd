package faults_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/faultproxy"
	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

// Bounds every hostile case must end within, with --timeout 3s --retries 1:
// at most (retries+1) × timeout of registry time plus the build itself.
const (
	hostileTimeout = "3s"
	hostileWall    = 25 * time.Second
	hostileRSSKiB  = 256 << 10
)

// TestHostileRegistry pulls a base image through each misbehaving registry:
// hoist must fail in one line that says what happened, within the time and
// memory bounds, and publish nothing.
func TestHostileRegistry(t *testing.T) {
	upstream := registrytest.New(t)
	pushBase(t, upstream+"/base:latest")
	tests := []struct {
		b    faultproxy.Kind
		want []string // any one of them
	}{
		{faultproxy.Drip, []string{"did not complete a small request within 3s"}},
		{faultproxy.DripBlob, []string{"sent less than 48 KiB in 3s"}},
		{faultproxy.Stall, []string{"within 3s", "timed out after 3s"}},
		{faultproxy.HugeManifest, []string{"is 6442450944 bytes, over the 4 MiB limit"}},
		{faultproxy.EndlessManifest, []string{"over the 4 MiB limit"}},
		{faultproxy.HugeConfig, []string{"image config claims 6442450944 bytes, over the 8 MiB limit"}},
		{faultproxy.LyingDigest, []string{"sha256"}},
		{faultproxy.RedirectLoop, []string{"more than 10 redirects"}},
		{faultproxy.RetryAfter, []string{"503 Service Unavailable", "gave up after 1 retry"}},
		{faultproxy.MalformedJSON, []string{"JSON"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.b), func(t *testing.T) {
			srv := faultproxy.NewHostile(t, upstream, tt.b)
			out := filepath.Join(t.TempDir(), "oci")
			res := timedHoist(t, "build", "--base", srv.Host+"/base:latest", "--oci-layout", out,
				"--timeout", hostileTimeout, "--retries", "1", "./app")
			line := res.LastLine()
			t.Logf("HOSTILE %-16s %6.1fs %4d MiB  %s", tt.b, res.wall.Seconds(), res.rssKiB>>10, line)
			if res.Code == 0 {
				t.Fatalf("hoist succeeded through a %s registry", tt.b)
			}
			if !containsAny(line, tt.want) || !strings.HasPrefix(line, "hoist: ") {
				t.Errorf("last line %q: want one naming %q", line, tt.want)
			}
			if res.wall > hostileWall || res.rssKiB > hostileRSSKiB {
				t.Errorf("took %s and %d MiB, bounds %s and %d MiB", res.wall, res.rssKiB>>10, hostileWall, hostileRSSKiB>>10)
			}
			if matches, _ := filepath.Glob(filepath.Join(out, "index.json")); len(matches) != 0 {
				t.Errorf("a failed build wrote %s", out)
			}
		})
	}
}

// TestRegistryWithoutDigestHeader: a registry that omits
// Docker-Content-Digest on HEAD must not block re-pushes; hoist computes
// the digest from a bounded GET and sees the image is already there.
func TestRegistryWithoutDigestHeader(t *testing.T) {
	upstream := registrytest.New(t)
	srv := faultproxy.NewHostile(t, upstream, faultproxy.NoDigest)
	for i, want := range []string{"pushing", "registry already has this image"} {
		res := timedHoist(t, "build", "--repo", srv.Host+"/nd", "--progress", "plain", "--timeout", hostileTimeout, "./app")
		t.Logf("HOSTILE %-16s %6.1fs %4d MiB  run %d: %s", faultproxy.NoDigest, res.wall.Seconds(), res.rssKiB>>10, i+1, strings.TrimSpace(res.Stdout))
		if res.Code != 0 || !strings.Contains(res.Stderr, want) {
			t.Fatalf("run %d: exit %d, stderr %q; want success saying %q", i+1, res.Code, res.Stderr, want)
		}
	}
}

type timedResult struct {
	hoisttest.Result
	wall   time.Duration
	rssKiB int64
}

// timedHoist runs hoist like hoist() and measures its wall time and peak
// RSS. The RSS comes from GNU time, which forks hoist from its own small
// process: the rusage of a child this test starts directly would report
// the test's own RSS, as Go starts children with vfork and Linux keeps the
// larger high-water mark across the exec.
func timedHoist(t *testing.T, args ...string) timedResult {
	t.Helper()
	_, err := os.Stat(gnuTime)
	hoisttest.Need(t, err == nil, gnuTime+" (apt-get install time)")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rss := filepath.Join(t.TempDir(), "rss")
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, gnuTime, append([]string{"-f", "%M", "-o", rss, "--", hoisttest.Binary(t)}, args...)...)
	cmd.Dir = hoisttest.Root(t)
	cmd.Env = hermeticEnv(t)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	_ = cmd.Run()
	res := timedResult{wall: time.Since(start)}
	if cmd.ProcessState == nil {
		t.Fatalf("running hoist: %v", ctx.Err())
	}
	data, err := os.ReadFile(rss)
	if err != nil {
		t.Fatalf("reading the peak RSS: %v", err)
	}
	fields := strings.Fields(string(data)) // "Command exited with non-zero status 1" precedes it
	if res.rssKiB, err = strconv.ParseInt(fields[len(fields)-1], 10, 64); err != nil {
		t.Fatalf("peak RSS %q: %v", data, err)
	}
	res.Result = hoisttest.Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
	return res
}

const gnuTime = "/usr/bin/time"

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// pushBase writes a small linux/amd64 image to ref, as a base to pull.
func pushBase(t *testing.T, ref string) {
	t.Helper()
	registrytest.Write(t, ref, registrytest.PlatformImage(t, v1.Platform{OS: "linux", Architecture: "amd64"}), remote.WithAuthFromKeychain(anonymous{}))
}
