package clustertest

import (
	"fmt"
	"os"
	"path/filepath"
)

// startKubelet runs the kubelet against containerd. The configuration's
// quirks: no --node-ip, which refuses loopback, but the hostname
// "localhost", which the apiserver prefers and resolves to loopback;
// cgroupfs and failCgroupV1: false, since this machine has cgroup
// v1 (hybrid) and no systemd; failSwapOn: false; loopback addresses
// only; anonymous AlwaysAllow access to its API, which only the apiserver
// on this machine uses (port-forward, logs); eviction thresholds near zero
// so a full disk on a shared machine does not evict the test's pods; no
// image garbage collection, which would delete the pause image; no
// resolv.conf, since pods here resolve nothing.
func startKubelet(s *Stack, dir, bin string, c *Cluster, port, healthz int) (*Process, error) {
	root := filepath.Join(dir, "kubelet")
	config := filepath.Join(dir, "kubelet.yaml")
	yaml := fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: %d
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: %d
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://%s
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
podLogsDir: %s
evictionHard: {memory.available: 1Mi, nodefs.available: 1%%, imagefs.available: 1%%, nodefs.inodesFree: 1%%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
resolvConf: ""
`, port, healthz, containerdSocket(dir), filepath.Join(dir, "pod-logs"))
	if err := os.WriteFile(config, []byte(yaml), 0o644); err != nil {
		return nil, fmt.Errorf("configuring the kubelet: %w", err)
	}
	return StartProcess(s, dir, "kubelet", bin,
		"--config="+config, "--kubeconfig="+c.Kubeconfig, "--root-dir="+root, "--cert-dir="+filepath.Join(root, "pki"),
		"--hostname-override="+NodeName, "--v=1")
}
