package clustertest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long a process gets to exit on SIGTERM before SIGKILL.
const stopGrace = 5 * time.Second

// Stack holds what a cluster started, to undo it in reverse order: a test
// closes it in t.Cleanup, a command when it is interrupted.
type Stack struct {
	mu  sync.Mutex
	fns []func()
}

// Defer adds fn to run at Close.
func (s *Stack) Defer(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fns = append(s.fns, fn)
}

// Close runs the deferred functions, last first.
func (s *Stack) Close() {
	s.mu.Lock()
	fns := s.fns
	s.fns = nil
	s.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

// Process is a running server whose output goes to a log file.
type Process struct {
	Name string
	Log  string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// StartProcess runs bin with args, logging to dir/name.log, and stops it at
// s.Close. The process dies with this one too, so a crashed test leaves no
// server behind.
func StartProcess(s *Stack, dir, name, bin string, args ...string) (*Process, error) {
	p := &Process{Name: name, Log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	log, err := os.Create(p.Log)
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = log, log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		log.Close()
		close(p.done)
	}()
	s.Defer(p.Stop)
	return p, nil
}

// Stop sends SIGTERM, then SIGKILL to the process group after stopGrace.
func (p *Process) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// Exited reports whether the process has ended, and how.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Tail is the end of the process's log, for a failure message: its last
// lines, each cut short, since a kubelet line can hold a whole pod.
func (p *Process) Tail() string {
	b, _ := os.ReadFile(p.Log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	const keep, width = 40, 400
	if len(lines) > keep {
		lines = lines[len(lines)-keep:]
	}
	for i, l := range lines {
		if len(l) > width {
			lines[i] = l[:width] + " …"
		}
	}
	return fmt.Sprintf("--- %s (%s) ---\n%s", p.Name, p.Log, strings.Join(lines, "\n"))
}

// WaitFor polls ready until it returns nil, the process exits or ctx ends.
func (p *Process) WaitFor(ctx context.Context, ready func(context.Context) error) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		err := ready(ctx)
		if err == nil {
			return nil
		}
		if exited, werr := p.Exited(); exited {
			return fmt.Errorf("%s exited (%v) before it was ready\n%s", p.Name, werr, p.Tail())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last: %v)\n%s", p.Name, ctx.Err(), err, p.Tail())
		case <-tick.C:
		}
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// freePorts returns n distinct free ports.
func freePorts(n int) ([]int, error) {
	var out []int
	for len(out) < n {
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		if !slicesContains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func slicesContains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
