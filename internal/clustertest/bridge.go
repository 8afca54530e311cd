package clustertest

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hoist-build/hoist/internal/runctest"
)

// The probe bridge makes the kubelet's httpGet probes reach the pods. A
// pod's address is 127.1.x.y, which on the host is just loopback: the
// kubelet's probe would hit whatever the host runs on that port, or
// nothing. The bridge listens on each leased pod address and port on the
// host and carries every connection into the pod's own network namespace,
// so the probe is answered by the container, as on a real node.
type bridge struct {
	leases string
	ports  []int
	open   map[string][]net.Listener // by pod address
	done   chan struct{}
}

// bridgeScan is how often new and released leases are looked for: small
// next to a probe's period.
const bridgeScan = 200 * time.Millisecond

// startBridge starts the bridge over the CNI plugin's lease directory and
// returns its stop function.
func startBridge(leases string, ports []int) func() {
	b := &bridge{leases: leases, ports: ports, open: map[string][]net.Listener{}, done: make(chan struct{})}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			b.scan()
			select {
			case <-b.done:
				b.closeAll()
				return
			case <-time.After(bridgeScan):
			}
		}
	}()
	return func() { close(b.done); <-stopped }
}

// scan opens listeners for new leases and closes those of released ones.
func (b *bridge) scan() {
	entries, _ := os.ReadDir(b.leases)
	seen := map[string]bool{}
	for _, e := range entries {
		ip := e.Name()
		data, err := os.ReadFile(filepath.Join(b.leases, ip))
		lines := strings.Split(string(data), "\n")
		if err != nil || len(lines) < 2 || net.ParseIP(ip) == nil {
			continue
		}
		seen[ip] = true
		if _, ok := b.open[ip]; !ok {
			b.listen(ip)
		}
	}
	for ip, lns := range b.open {
		if !seen[ip] {
			for _, ln := range lns {
				ln.Close()
			}
			delete(b.open, ip)
		}
	}
}

func (b *bridge) listen(ip string) {
	var lns []net.Listener
	for _, port := range b.ports {
		addr := net.JoinHostPort(ip, itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		lns = append(lns, ln)
		go serve(ln, filepath.Join(b.leases, ip), addr)
	}
	b.open[ip] = lns
}

func (b *bridge) closeAll() {
	for _, lns := range b.open {
		for _, ln := range lns {
			ln.Close()
		}
	}
}

// serve forwards each connection to the pod that holds the lease now: an
// address freed by one pod may be leased to the next between two scans,
// so the namespace is looked up per connection, never remembered.
func serve(ln net.Listener, lease, addr string) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			data, err := os.ReadFile(lease)
			lines := strings.Split(string(data), "\n")
			if err != nil || len(lines) < 2 {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			pod, err := runctest.DialInNetns(ctx, lines[1], "tcp", addr)
			if err != nil {
				return
			}
			defer pod.Close()
			go func() { _, _ = io.Copy(pod, conn); pod.(*net.TCPConn).CloseWrite() }()
			_, _ = io.Copy(conn, pod)
		}()
	}
}
