//go:build unix

package build

import (
	"os/exec"
	"syscall"
	"time"
)

// interruptGroup runs cmd in a process group of its own and, when the
// context is cancelled, interrupts the whole group: the go command's
// compile and link children then stop at once. The default (SIGKILL to the
// go command alone) leaves them running as orphans after hoist has exited.
func interruptGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }
	// go waits for its running actions after an interrupt; a tool that
	// ignores SIGINT must not hold hoist up for long.
	cmd.WaitDelay = 5 * time.Second
}

// killGroup kills whatever is left of the group after the go command
// returned from a cancelled run: nothing of it may outlive hoist.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
