package clustertest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// sweep removes what a stopped node may leave behind: processes in the
// kubelet's pod cgroups and the containerd shims of this node (which
// outlive containerd by design), mounts under dir (rootfs overlays, volume
// tmpfs, namespace bind mounts), and the emptied pod cgroups. The kubelet
// stops the pods' containers itself when they are deleted first; this is
// for a run that crashed or timed out.
func sweep(dir string) {
	cgroups, _ := filepath.Glob("/sys/fs/cgroup/*/kubepods")
	for _, cg := range cgroups {
		for _, pid := range CgroupPIDs(cg) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	sock := containerdSocket(dir)
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), sock) {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(p, "/proc/%d/cmdline", &pid); err == nil && pid != os.Getpid() {
			sockets := shimSockets(pid)
			_ = syscall.Kill(pid, syscall.SIGKILL)
			for _, s := range sockets {
				_ = os.Remove(s)
			}
		}
	}
	for _, m := range MountsUnder(dir) {
		_ = syscall.Unmount(m, syscall.MNT_DETACH)
	}
	for _, cg := range cgroups {
		RemoveCgroup(cg)
	}
}

// shimSockets lists the paths of the unix sockets pid listens on under
// /run/containerd/s, where a killed shim leaves its socket behind: its
// socket fds' inodes, looked up in /proc/net/unix.
func shimSockets(pid int) []string {
	inodes := map[string]bool{}
	fds, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && strings.HasPrefix(target, "socket:[") {
			inodes[strings.Trim(strings.TrimPrefix(target, "socket:"), "[]")] = true
		}
	}
	data, _ := os.ReadFile("/proc/net/unix")
	var paths []string
	for _, line := range strings.Split(string(data), "\n") {
		// Fields: Num RefCount Protocol Flags Type St Inode Path.
		f := strings.Fields(line)
		if len(f) == 8 && inodes[f[6]] && strings.HasPrefix(f[7], "/run/containerd/s/") {
			paths = append(paths, f[7])
		}
	}
	return paths
}

// CgroupPIDs lists the processes in cg and its descendants.
func CgroupPIDs(cg string) []int {
	var pids []int
	_ = filepath.WalkDir(cg, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "cgroup.procs" {
			return nil
		}
		data, _ := os.ReadFile(path)
		for _, f := range strings.Fields(string(data)) {
			var pid int
			if _, err := fmt.Sscan(f, &pid); err == nil {
				pids = append(pids, pid)
			}
		}
		return nil
	})
	return pids
}

// RemoveCgroup removes an emptied cgroup tree, deepest first: the kernel
// lets a cgroup directory be removed only once it has no children.
func RemoveCgroup(cg string) {
	entries, _ := os.ReadDir(cg)
	for _, e := range entries {
		if e.IsDir() {
			RemoveCgroup(filepath.Join(cg, e.Name()))
		}
	}
	_ = os.Remove(cg)
}

// MountsUnder lists the mount points below dir, deepest first.
func MountsUnder(dir string) []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var mounts []string
	for _, line := range strings.Split(string(data), "\n") {
		// Field 5 is the mount point.
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			mounts = append(mounts, f[4])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(mounts)))
	return mounts
}
