//go:build !unix

package build

import "os/exec"

func interruptGroup(*exec.Cmd) {}

func killGroup(*exec.Cmd) {}
