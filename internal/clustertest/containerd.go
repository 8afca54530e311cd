package clustertest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// startContainerd runs containerd with its CRI plugin for the kubelet,
// every path under dir. The settings each work around something here:
//   - restrict_oom_score_adj: without it runc fails the pause container,
//     "can't get final child's PID from pipe", adjusting an OOM score it may
//     not lower in this sandbox;
//   - enable_unprivileged_ports: pods may bind low ports without a
//     capability (the app relies on its file capability; this only matches
//     what current containerd does by default);
//   - netns_mounts_under_state_dir: pod namespaces live under dir, not in
//     /var/run/netns, so a crashed run leaves nothing in the host's list;
//   - the registry mirror: pods and the pause image come from the local
//     plain-http registry.
func startContainerd(s *Stack, dir string, opts NodeOptions) (*Process, error) {
	cni := filepath.Join(dir, "cni")
	for _, d := range []string{filepath.Join(cni, "bin"), filepath.Join(cni, "conf")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("starting containerd: %w", err)
		}
	}
	plugin, err := os.ReadFile(opts.CNIPlugin)
	if err != nil {
		return nil, fmt.Errorf("installing the CNI plugin: %w", err)
	}
	// containerd also runs a "loopback" plugin for every pod; hoist-cni
	// stands in for it too.
	for _, name := range []string{"hoist-cni", "loopback"} {
		if err := os.WriteFile(filepath.Join(cni, "bin", name), plugin, 0o755); err != nil {
			return nil, fmt.Errorf("installing the CNI plugin: %w", err)
		}
	}
	conflist := fmt.Sprintf(`{"cniVersion": "1.0.0", "name": "hoist", "plugins": [{"type": "hoist-cni", "dataDir": %q}]}`,
		filepath.Join(cni, "leases"))
	if err := os.WriteFile(filepath.Join(cni, "conf", "10-hoist.conflist"), []byte(conflist), 0o644); err != nil {
		return nil, fmt.Errorf("configuring CNI: %w", err)
	}
	config := filepath.Join(dir, "containerd.toml")
	if err := os.WriteFile(config, []byte(containerdConfig(dir, opts)), 0o644); err != nil {
		return nil, fmt.Errorf("configuring containerd: %w", err)
	}
	p, err := StartProcess(s, dir, "containerd", opts.Containerd, "--config", config)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	sock := containerdSocket(dir)
	err = p.WaitFor(ctx, func(ctx context.Context) error {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "unix", sock)
		if err != nil {
			return err
		}
		return conn.Close()
	})
	return p, err
}

func containerdSocket(dir string) string { return filepath.Join(dir, "containerd.sock") }

// ContainerdBase is the start of a containerd config that keeps every path
// containerd would otherwise take from the host (/var/lib, /run, /opt)
// under dir, serving its API on sock. top are further top-level settings,
// which TOML wants before the first table.
func ContainerdBase(dir, sock string, top ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version = 2\nroot = %q\nstate = %q\n", filepath.Join(dir, "root"), filepath.Join(dir, "state"))
	for _, line := range top {
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, `
[grpc]
  address = %[1]q

[ttrpc]
  address = %[2]q

[plugins."io.containerd.internal.v1.opt"]
  path = %[3]q

`, sock, sock+".ttrpc", filepath.Join(dir, "opt"))
	return b.String()
}

func containerdConfig(dir string, opts NodeOptions) string {
	return ContainerdBase(dir, containerdSocket(dir)) + fmt.Sprintf(`[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[1]q
  restrict_oom_score_adj = true
  enable_unprivileged_ports = true
  enable_unprivileged_icmp = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = %[2]q

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %[3]q
    conf_dir = %[4]q
    max_conf_num = 1

  [plugins."io.containerd.grpc.v1.cri".registry.mirrors.%[5]q]
    endpoint = [%[6]q]
`, opts.PauseImage, filepath.Join(dir, "runc"), filepath.Join(dir, "cni", "bin"), filepath.Join(dir, "cni", "conf"),
		opts.Registry, "http://"+opts.Registry)
}
