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

// Terminal is a command running on a pseudo-terminal.
type Terminal struct {
	cmd    *exec.Cmd
	master *os.File
	out    bytes.Buffer
	copied chan error
}

// Start starts cmd with stdin, stdout and stderr on a new terminal of the
// given size, as its controlling terminal and in its foreground process
// group, as a shell starts a command.
func Start(cmd *exec.Cmd, rows, cols uint16) (*Terminal, error) {
	master, slave, err := Open(rows, cols)
	if err != nil {
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		slave.Close()
		master.Close()
		return nil, err
	}
	slave.Close() // the child holds it now; reads end with EIO when it exits
	t := &Terminal{cmd: cmd, master: master, copied: make(chan error, 1)}
	go func() {
		_, err := io.Copy(&t.out, master)
		t.copied <- err
	}()
	return t, nil
}

// Type writes keys to the terminal: "\x03" is Ctrl-C, which the terminal
// turns into SIGINT for the foreground process group.
func (t *Terminal) Type(keys string) error {
	_, err := t.master.WriteString(keys)
	return err
}

// Wait waits for the command and returns everything it wrote to the
// terminal and its exit error.
func (t *Terminal) Wait() ([]byte, error) {
	defer t.master.Close()
	runErr := t.cmd.Wait()
	if err := <-t.copied; err != nil && !errors.Is(err, syscall.EIO) {
		return t.out.Bytes(), fmt.Errorf("reading the pty: %w", err)
	}
	return t.out.Bytes(), runErr
}

// Run runs cmd on a new terminal of the given size (see Start) and returns
// everything it wrote there and its exit error.
func Run(cmd *exec.Cmd, rows, cols uint16) ([]byte, error) {
	t, err := Start(cmd, rows, cols)
	if err != nil {
		return nil, err
	}
	return t.Wait()
}
