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

// dialInNetns dials inside the container's network namespace, which only
// makes sense while its process lives.
func (c *Container) dialInNetns(ctx context.Context, network, addr string) (net.Conn, error) {
	if code, exited := c.Exited(); exited || c.pid == 0 {
		// The pid may already belong to an unrelated process.
		return nil, fmt.Errorf("dialing %s: %w with code %d", addr, ErrExited, code)
	}
	return DialInNetns(ctx, c.pid, network, addr)
}

// DialInNetns creates the socket on a thread moved into pid's network
// namespace; a socket stays in the namespace it was created in, so the
// connection keeps working after the goroutine is gone. It reaches any
// process's private network, such as a containerd task's.
func DialInNetns(ctx context.Context, pid int, network, addr string) (net.Conn, error) {
	type result struct {
		conn net.Conn
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		// Never unlocked: the thread's namespace is changed for good, and a
		// goroutine exiting while locked makes the runtime discard the
		// thread instead of reusing it for unrelated goroutines.
		runtime.LockOSThread()
		conn, err := dialOnThisThread(ctx, pid, network, addr)
		ch <- result{conn, err}
	}()
	r := <-ch
	return r.conn, r.err
}

func dialOnThisThread(ctx context.Context, pid int, network, addr string) (net.Conn, error) {
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/net", pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening network namespace of pid %d: %w", pid, err)
	}
	err = unix.Setns(fd, unix.CLONE_NEWNET)
	unix.Close(fd)
	if err != nil {
		return nil, fmt.Errorf("entering network namespace of pid %d: %w", pid, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("dialing %s in network namespace of pid %d: %w", addr, pid, err)
	}
	return conn, nil
}
