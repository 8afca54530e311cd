package runctest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Get performs an HTTP GET against 127.0.0.1:port inside the container's
// network namespace, which is private, so nothing is published on the host.
// Any HTTP status counts as a response; err means nothing answered.
func (c *Container) Get(ctx context.Context, port int, path string) (status int, body []byte, err error) {
	url := fmt.Sprintf("http://127.0.0.1:%d/%s", port, strings.TrimPrefix(path, "/"))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("building request for %s: %w", url, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("getting %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, body, fmt.Errorf("reading body of %s: %w", url, err)
	}
	return resp.StatusCode, body, nil
}

// WaitHTTP polls Get until something answers on port. It gives up early,
// wrapping ErrExited, when the container's process ends, because a server
// that cannot bind often just exits; the error then carries the logs.
func (c *Container) WaitHTTP(ctx context.Context, port int, path string) error {
	var lastErr error
	for {
		attempt, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, _, err := c.Get(attempt, port, path)
		cancel()
		if err == nil {
			return nil
		}
		lastErr = err
		select {
		case <-c.done:
			return fmt.Errorf("waiting for port %d: %w with code %d (last attempt: %v); logs:\n%s",
				port, ErrExited, c.exitCode, lastErr, c.Logs())
		case <-ctx.Done():
			return fmt.Errorf("waiting for port %d: %w (last attempt: %v); logs:\n%s",
				port, ctx.Err(), lastErr, c.Logs())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// dialInNetns dials in the container's network namespace.
func (c *Container) dialInNetns(ctx context.Context, network, addr string) (net.Conn, error) {
	if code, exited := c.Exited(); exited || c.pid == 0 {
		// The pid may already belong to an unrelated process.
		return nil, fmt.Errorf("dialing %s: %w with code %d", addr, ErrExited, code)
	}
	return DialInNetns(ctx, fmt.Sprintf("/proc/%d/ns/net", c.pid), network, addr)
}

// DialInNetns connects to addr from inside the network namespace at path
// (/proc/PID/ns/net, or a file bound to one), which is how a test reaches a
// container's loopback without publishing anything on the host's. The
// socket is made on a thread moved there, and stays in that namespace
// after the thread leaves it.
func DialInNetns(ctx context.Context, path, network, addr string) (net.Conn, error) {
	type result struct {
		conn net.Conn
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		conn, home, err := dialOnThisThread(ctx, path, network, addr)
		// Only a thread back in its own namespace may serve other
		// goroutines. One that is not stays locked, and the runtime
		// discards it when this goroutine ends; that is the exception,
		// since processes started from a thread with Pdeathsig (as
		// clustertest starts them) die with it.
		if home {
			runtime.UnlockOSThread()
		}
		ch <- result{conn, err}
	}()
	r := <-ch
	return r.conn, r.err
}

// dialOnThisThread dials from the namespace at path and moves the locked
// thread back; home reports whether it is back.
func dialOnThisThread(ctx context.Context, path, network, addr string) (conn net.Conn, home bool, err error) {
	self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, true, fmt.Errorf("opening this thread's network namespace: %w", err)
	}
	defer unix.Close(self)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, true, fmt.Errorf("opening network namespace %s: %w", path, err)
	}
	err = unix.Setns(fd, unix.CLONE_NEWNET)
	unix.Close(fd)
	if err != nil {
		return nil, true, fmt.Errorf("entering network namespace %s: %w", path, err)
	}
	var d net.Dialer
	conn, err = d.DialContext(ctx, network, addr)
	if err != nil {
		err = fmt.Errorf("dialing %s in network namespace %s: %w", addr, path, err)
	}
	return conn, unix.Setns(self, unix.CLONE_NEWNET) == nil, err
}
