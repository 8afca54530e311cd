package runctest

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// ErrExited reports that the container's process ended, so waiting for it to
// answer is pointless.
var ErrExited = errors.New("container exited")

// Container is a running (or finished) runc container started by Start.
type Container struct {
	// ID is the runc container id, unique per Start so parallel tests do not
	// collide on cgroup paths, which runc derives from it.
	ID string
	// Bundle holds config.json and rootfs.
	Bundle string

	runc   string
	state  string
	pid    int
	cmd    *exec.Cmd
	logs   *hoisttest.Output // runc's copy goroutine writes it while tests read
	client *http.Client

	done     chan struct{}
	exitCode int
	waitErr  error

	closeOnce sync.Once
	closeErr  error
}

// Start unpacks img into dir/bundle, writes a spec resembling what containerd
// gives a non-root container, and runs it with `runc run` in the foreground.
// It returns once runc reports the process running, or once it has already
// exited, which callers observe through Wait, Logs or WaitHTTP. The container
// outlives ctx; release it with Close.
func Start(ctx context.Context, img v1.Image, dir string, opts Options) (*Container, error) {
	runc, err := exec.LookPath(cmp.Or(opts.Runc, "runc"))
	if err != nil {
		return nil, fmt.Errorf("finding runc: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	if cf == nil {
		return nil, fmt.Errorf("reading image config: image has none")
	}
	bundle := filepath.Join(dir, "bundle")
	if err := Unpack(ctx, img, filepath.Join(bundle, "rootfs")); err != nil {
		return nil, err
	}
	if err := writeSpec(runc, bundle, &cf.Config, opts); err != nil {
		return nil, err
	}
	c := &Container{
		ID:     newID(),
		Bundle: bundle,
		runc:   runc,
		state:  filepath.Join(dir, "state"),
		logs:   &hoisttest.Output{},
		done:   make(chan struct{}),
	}
	c.client = &http.Client{Transport: &http.Transport{
		DialContext:       c.dialInNetns,
		DisableKeepAlives: true,
	}}
	var out io.Writer = c.logs
	if opts.Logs != nil {
		out = io.MultiWriter(c.logs, opts.Logs)
	}
	c.cmd = exec.Command(runc, "--root", c.state, "run", "--bundle", bundle, c.ID)
	c.cmd.Stdout, c.cmd.Stderr = out, out
	// The container inherits the log pipe; if something in it keeps the pipe
	// open after exit, Wait must still return.
	c.cmd.WaitDelay = 10 * time.Second
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting runc: %w", err)
	}
	go c.reap()
	if err := c.waitRunning(ctx); err != nil {
		return nil, errors.Join(err, c.Close())
	}
	return c, nil
}

func newID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux.
	return "runctest-" + hex.EncodeToString(b)
}

// reap records the exit status; `runc run` exits with the container
// process's status, or 128+signal when it was killed.
func (c *Container) reap() {
	err := c.cmd.Wait()
	ps := c.cmd.ProcessState
	switch {
	case ps == nil:
		c.exitCode, c.waitErr = -1, fmt.Errorf("waiting for runc: %w", err)
	case ps.Exited():
		c.exitCode = ps.ExitCode()
	default:
		ws, _ := ps.Sys().(syscall.WaitStatus)
		c.exitCode = 128 + int(ws.Signal())
	}
	close(c.done)
}

// waitRunning polls `runc state` because `runc run` gives no readiness
// signal of its own, and the pid is needed to enter the network namespace.
func (c *Container) waitRunning(ctx context.Context) error {
	for {
		out, err := exec.CommandContext(ctx, c.runc, "--root", c.state, "state", c.ID).Output()
		if err == nil {
			var st struct {
				Pid    int    `json:"pid"`
				Status string `json:"status"`
			}
			if err := json.Unmarshal(out, &st); err != nil {
				return fmt.Errorf("decoding runc state: %w", err)
			}
			if st.Status == "running" && st.Pid > 0 {
				c.pid = st.Pid
				return nil
			}
		}
		select {
		case <-c.done:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("waiting for container %s to run: %w; logs:\n%s", c.ID, ctx.Err(), c.Logs())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Logs returns everything the container (and runc) wrote so far.
func (c *Container) Logs() string { return c.logs.String() }

// Exited reports whether the container's process has ended, and its code.
func (c *Container) Exited() (exitCode int, exited bool) {
	select {
	case <-c.done:
		return c.exitCode, true
	default:
		return 0, false
	}
}

// Signal delivers sig to the container's init process through runc, so it
// arrives exactly as a kubelet stop would deliver it.
func (c *Container) Signal(sig syscall.Signal) error {
	if out, err := c.runcOutput("kill", c.ID, fmt.Sprint(int(sig))); err != nil {
		return fmt.Errorf("signalling container %s with %v: %w: %s", c.ID, sig, err, out)
	}
	return nil
}

// Wait blocks until the container's process exits and returns its exit code;
// err is set only if ctx ends first or runc could not be waited for.
func (c *Container) Wait(ctx context.Context) (exitCode int, err error) {
	select {
	case <-c.done:
		return c.exitCode, c.waitErr
	case <-ctx.Done():
		return -1, fmt.Errorf("waiting for container %s: %w", c.ID, ctx.Err())
	}
}

// Close kills the container if it still runs, deletes it and removes the
// runc state directory. The bundle stays for post-mortem inspection.
func (c *Container) Close() error {
	c.closeOnce.Do(func() { c.closeErr = c.close() })
	return c.closeErr
}

func (c *Container) close() error {
	c.client.CloseIdleConnections()
	if _, exited := c.Exited(); !exited {
		// Errors are expected when the process exits on its own meanwhile.
		_, _ = c.runcOutput("kill", c.ID, "KILL")
	}
	var errs []error
	if out, err := c.runcOutput("delete", "--force", c.ID); err != nil {
		errs = append(errs, fmt.Errorf("deleting container %s: %w: %s", c.ID, err, out))
	}
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		// runc itself is stuck; the container is already deleted above.
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	if err := os.RemoveAll(c.state); err != nil {
		errs = append(errs, fmt.Errorf("removing runc state: %w", err))
	}
	return errors.Join(errs...)
}

func (c *Container) runcOutput(args ...string) ([]byte, error) {
	return exec.Command(c.runc, append([]string{"--root", c.state}, args...)...).CombinedOutput()
}

// PID is the container process's pid on the host, for reading its
// /proc/PID/status (uid, capabilities) from the test.
func (c *Container) PID() int { return c.pid }
