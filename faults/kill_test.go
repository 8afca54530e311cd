package faults_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/faultproxy"
	"github.com/hoist-build/hoist/internal/registrytest"
)

// TestKillAtRandomPoints SIGKILLs `hoist build --repo` (and the go commands
// it runs) at random moments, 20 times, each into a fresh repository so
// that every trial uploads its blobs anew: half the kills fall anywhere in
// the run, half within the push, which is otherwise a small part of it.
// Whatever the moment, a tag that exists must point at a manifest whose
// blobs (and, for an index, children) can all be fetched; and a normal run
// afterwards must complete. A little latency in front of the registry
// stretches the push.
func TestKillAtRandomPoints(t *testing.T) {
	const trials, seed = 20, 11
	upstream := registrytest.New(t)
	proxy := faultproxy.New(t, upstream, faultproxy.Options{Latency: 50 * time.Millisecond})
	both := "linux/amd64,linux/arm64"
	// One hoist cache for every run, as on a developer's machine: the kills
	// must neither corrupt it nor leave it cold.
	cacheEnv := []string{"HOIST_CACHE=" + t.TempDir()}

	// The first run warms the build cache and gives the layers a partial
	// upload is measured against; one timed run per platform set then sizes
	// the windows the kills are drawn from.
	if warm := hoist(t, cacheEnv, "build", "--repo", proxy.Host+"/warm", "--platform", both, "./app"); warm.Code != 0 {
		t.Fatalf("warm-up run failed: %s", warm.Stderr)
	}
	k := killer{env: cacheEnv, proxy: proxy.Host, upstream: upstream, platforms: []string{"linux/amd64", both}}
	k.layers = layerDigests(t, upstream, "warm/app:latest")
	k.windows = timeRuns(t, cacheEnv, proxy.Host, k.platforms)
	outcomes, partial := k.trials(t, trials, seed)
	logSummary(t, seed, k.platforms, k.windows, outcomes)
	checkOutcomes(t, outcomes)

	if partial == "" {
		partial = fmt.Sprintf("kill%02d", trials-1)
	}
	final := hoist(t, append(cacheEnv, "HOIST_PROGRESS=plain"), "build", "--repo", proxy.Host+"/"+partial, "--platform", both, "./app")
	if final.Code != 0 {
		t.Fatalf("normal run into %s after the kills failed: %s", partial, final.Stderr)
	}
	// The toolchain may run (go build then finds its output up to date),
	// but every platform's layer must come from the cache, intact.
	if strings.Contains(final.Stderr, "dropping corrupt cache entry") || strings.Count(final.Stderr, "reusing cached build") != 2 {
		t.Errorf("the hoist cache did not survive the kills warm: the final run's log:\n%s", final.Stderr)
	}
	ref := strings.TrimSpace(final.Stdout)
	checkComplete(t, upstream, partial+"/app:latest", digestOf(t, ref))
	t.Logf("final normal run into %s: %s", partial, ref)
}

// killer runs the trials: hoist through the proxy, killed, then the
// upstream registry inspected.
type killer struct {
	env             []string
	proxy, upstream string
	// layers are the warm run's, windows each platform set's timing.
	layers    []string
	platforms []string
	windows   map[string]runTimes
}

// trials runs n kills and counts their outcomes; partial is the repository
// left with the most layers and no tag, if any.
func (k killer) trials(t *testing.T, n int, seed uint64) (outcomes map[string]int, partial string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed))
	outcomes = map[string]int{}
	mostLayers := 0
	for i := range n {
		repo := fmt.Sprintf("kill%02d", i)
		platform, inPush := k.platforms[(i/2)%2], i%2 == 1
		w := k.windows[platform]
		delay, when := time.Duration(rng.Int64N(int64(w.total))), "after start"
		if inPush {
			delay, when = time.Duration(rng.Int64N(int64(w.push))), "into the push"
		}
		run := startHoist(t, k.env, "build", "--repo", k.proxy+"/"+repo, "--platform", platform,
			"--label", fmt.Sprintf("trial=%d", i), "./app")
		killed := run.killAfter(t, delay, inPush)
		st := inspectRepo(t, k.upstream, repo+"/app", k.layers)
		if !st.tagged && st.present > mostLayers {
			partial, mostLayers = repo, st.present
		}
		outcome := st.outcome(killed)
		outcomes[outcome]++
		if killed && inPush {
			outcomes["landed within the push"]++
		}
		t.Logf("trial %2d (%s): SIGKILL %v %s: %s (%s)", i, platform, delay.Round(time.Millisecond), when, outcome, st)
	}
	return outcomes, partial
}

// timeRuns times one complete run per platform set, each into a fresh
// repository.
func timeRuns(t *testing.T, env []string, host string, platforms []string) map[string]runTimes {
	t.Helper()
	windows := map[string]runTimes{}
	for i, p := range platforms {
		run := startHoist(t, env, "build", "--repo", fmt.Sprintf("%s/window%d", host, i), "--platform", p, "./app")
		if windows[p] = run.wait(t); !windows[p].finished {
			t.Fatalf("timing run failed:\n%s", run.stderr.String())
		}
	}
	return windows
}

// checkOutcomes asserts that the kills covered the run: some landed before
// the tag existed (before or within the push) and some after it (while the
// attachments were pushed, or after the run ended).
func checkOutcomes(t *testing.T, outcomes map[string]int) {
	t.Helper()
	before := outcomes["killed before a layer was committed"] + outcomes["killed with some layers committed, untagged"]
	after := outcomes["killed after tagging"] + outcomes["finished before the kill"]
	if before == 0 || after == 0 || outcomes["landed within the push"] == 0 {
		t.Errorf("the kills did not cover the run (before the tag %d, after it %d): %v", before, after, outcomes)
	}
}

func logSummary(t *testing.T, seed uint64, platforms []string, windows map[string]runTimes, outcomes map[string]int) {
	t.Helper()
	var summary []string
	for k, n := range outcomes {
		summary = append(summary, fmt.Sprintf("%d × %s", n, k))
	}
	sort.Strings(summary)
	for _, p := range platforms {
		t.Logf("%s: a whole run took %v, its push %v", p, windows[p].total.Round(time.Millisecond), windows[p].push.Round(time.Millisecond))
	}
	t.Logf("seed %d: %s", seed, strings.Join(summary, "; "))
}

// repoState is what a trial left in its repository.
type repoState struct {
	tagged bool
	index  bool
	// present of total is how many of the image's layers the registry has.
	present, total int
}

func (s repoState) String() string {
	switch {
	case s.index:
		return "tagged index, every child, layer and config fetched and verified"
	case s.tagged:
		return "tagged image, every layer and config fetched and verified"
	}
	return fmt.Sprintf("no tag, %d of %d layers committed", s.present, s.total)
}

func (s repoState) outcome(killed bool) string {
	switch {
	case !killed:
		return "finished before the kill"
	case s.tagged:
		return "killed after tagging"
	case s.present == 0:
		return "killed before a layer was committed"
	}
	return "killed with some layers committed, untagged"
}

// inspectRepo checks the repository's tag, if any, down to every blob, and
// otherwise counts the layers a killed run left behind.
func inspectRepo(t *testing.T, host, repo string, layers []string) repoState {
	t.Helper()
	if desc, err := fetch(t, host, repo+":latest"); err == nil {
		if err := validateAll(desc); err != nil {
			t.Errorf("%s/%s:latest is tagged but incomplete: %v", host, repo, err)
		}
		return repoState{tagged: true, index: desc.MediaType.IsIndex()}
	}
	st := repoState{total: len(layers)}
	for _, d := range layers {
		resp, err := http.Head("http://" + host + "/v2/" + repo + "/blobs/" + d)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			st.present++
		}
	}
	return st
}

// layerDigests lists every layer of the index at ref: the blobs a trial
// shares with it (configs differ, by the trial's label).
func layerDigests(t *testing.T, host, ref string) []string {
	t.Helper()
	idx, m := registrytest.Index(t, host+"/"+ref)
	seen := map[string]bool{}
	for _, d := range m.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		mf, err := img.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range mf.Layers {
			seen[l.Digest.String()] = true
		}
	}
	var out []string
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}
