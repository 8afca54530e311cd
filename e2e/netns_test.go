package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/runctest"
)

// netns names the network namespace pid lives in, e.g. "net:[4026531833]".
func netns(t *testing.T, pid int) string {
	t.Helper()
	ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		t.Fatalf("reading the network namespace of pid %d: %v", pid, err)
	}
	return ns
}

// getInNetns polls url from inside pid's network namespace until something
// answers, and returns the body. The namespace is private, so nothing is
// published on the host; runctest does the same for the containers it
// starts, but a containerd task is not one of those.
func getInNetns(ctx context.Context, pid int, url string) (string, error) {
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return runctest.DialInNetns(ctx, fmt.Sprintf("/proc/%d/ns/net", pid), network, addr)
		},
		DisableKeepAlives: true,
	}}
	var lastErr error
	for {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			return "", fmt.Errorf("getting %s: process %d is gone (last attempt: %v)", url, pid, lastErr)
		}
		body, err := getBody(ctx, client, url)
		if err == nil {
			return body, nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("getting %s: %w (last attempt: %v)", url, ctx.Err(), lastErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func getBody(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("building request for %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("getting %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("reading body of %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("getting %s: status %s", url, resp.Status)
	}
	return string(body), nil
}
