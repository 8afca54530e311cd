package ptytest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// Open returns the master and slave ends of a new pseudo-terminal of the
// given size.
func Open(rows, cols uint16) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("opening /dev/ptmx: %w", err)
	}
	fd := int(master.Fd())
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err == nil {
		err = unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0)
	}
	if err == nil {
		err = unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
	}
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("setting up the pty: %w", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("opening the pty slave: %w", err)
	}
	return master, slave, nil
}

// Run runs cmd with stdin, stdout and stderr on a new terminal of the given
// size, as its controlling terminal, and returns everything it wrote there
// and its exit error.
func Run(cmd *exec.Cmd, rows, cols uint16) ([]byte, error) {
	master, slave, err := Open(rows, cols)
	if err != nil {
		return nil, err
	}
	defer master.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		slave.Close()
		return nil, err
	}
	slave.Close() // the child holds it now; reads end with EIO when it exits
	var out bytes.Buffer
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(&out, master)
		copied <- err
	}()
	runErr := cmd.Wait()
	if err := <-copied; err != nil && !errors.Is(err, syscall.EIO) {
		return out.Bytes(), fmt.Errorf("reading the pty: %w", err)
	}
	return out.Bytes(), runErr
}
