package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// conf is the part of the network configuration this plugin reads.
type conf struct {
	CNIVersion string `json:"cniVersion"`
	Type       string `json:"type"`
	DataDir    string `json:"dataDir"`
}

type result struct {
	CNIVersion string     `json:"cniVersion"`
	Interfaces []iface    `json:"interfaces"`
	IPs        []ipConfig `json:"ips"`
	DNS        struct{}   `json:"dns"`
}

type iface struct {
	Name    string `json:"name"`
	Sandbox string `json:"sandbox"`
}

type ipConfig struct {
	Address   string `json:"address"`
	Interface int    `json:"interface"`
}

func main() {
	if err := run(os.Getenv("CNI_COMMAND"), os.Stdin, os.Stdout); err != nil {
		// The CNI error format: the runtime shows msg in the pod's events.
		_ = json.NewEncoder(os.Stdout).Encode(map[string]any{"cniVersion": "1.0.0", "code": 100, "msg": err.Error()})
		os.Exit(1)
	}
}

func run(command string, stdin io.Reader, stdout io.Writer) error {
	if command == "VERSION" {
		return json.NewEncoder(stdout).Encode(map[string]any{"cniVersion": "1.0.0", "supportedVersions": []string{"0.4.0", "1.0.0"}})
	}
	var c conf
	if err := json.NewDecoder(stdin).Decode(&c); err != nil {
		return fmt.Errorf("reading the network configuration: %w", err)
	}
	id, netns, name := os.Getenv("CNI_CONTAINERID"), os.Getenv("CNI_NETNS"), os.Getenv("CNI_IFNAME")
	if c.Type == "loopback" {
		return loopback(command, c, netns, stdout)
	}
	if c.DataDir == "" {
		return errors.New("reading the network configuration: no dataDir")
	}
	switch command {
	case "ADD":
		ip, err := lease(c.DataDir, id, netns)
		if err != nil {
			return err
		}
		if err := inNetns(netns, func() error { return setUp(name, ip) }); err != nil {
			_ = release(c.DataDir, id)
			return fmt.Errorf("configuring %s in %s: %w", name, netns, err)
		}
		return json.NewEncoder(stdout).Encode(result{
			CNIVersion: c.CNIVersion,
			Interfaces: []iface{{Name: name, Sandbox: netns}},
			IPs:        []ipConfig{{Address: ip + "/32", Interface: 0}},
		})
	case "DEL":
		// The namespace, and the interface with it, go with the sandbox.
		return release(c.DataDir, id)
	case "CHECK", "GC", "STATUS":
		return nil
	}
	return fmt.Errorf("unknown CNI_COMMAND %q", command)
}

// loopback stands in for the reference loopback plugin, which containerd
// calls for every pod besides the configured network: it brings lo up.
func loopback(command string, c conf, netns string, stdout io.Writer) error {
	if command != "ADD" {
		return nil
	}
	if err := inNetns(netns, loUp); err != nil {
		return fmt.Errorf("bringing up lo in %s: %w", netns, err)
	}
	return json.NewEncoder(stdout).Encode(result{
		CNIVersion: c.CNIVersion,
		Interfaces: []iface{{Name: "lo", Sandbox: netns}},
		IPs:        []ipConfig{{Address: "127.0.0.1/8", Interface: 0}},
	})
}

// lease takes the first free address in 127.1.0.2–127.1.255.254 by
// creating its file exclusively, so concurrent ADDs never share one. An
// ADD repeated for the same container gets its address back.
func lease(dir, id, netns string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("leasing an address: %w", err)
	}
	if ip, ok := leased(dir, id); ok {
		return ip, nil
	}
	for n := 2; n < 256*256-1; n++ {
		ip := fmt.Sprintf("127.1.%d.%d", n/256, n%256)
		if n%256 == 0 || n%256 == 255 {
			continue
		}
		f, err := os.OpenFile(filepath.Join(dir, ip), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("leasing an address: %w", err)
		}
		_, err = fmt.Fprintf(f, "%s\n%s\n", id, netns)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return ip, err
	}
	return "", errors.New("leasing an address: 127.1.0.0/16 is used up")
}

func leased(dir, id string) (string, bool) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil && strings.SplitN(string(b), "\n", 2)[0] == id {
			return e.Name(), true
		}
	}
	return "", false
}

func release(dir, id string) error {
	if ip, ok := leased(dir, id); ok {
		return os.Remove(filepath.Join(dir, ip))
	}
	return nil
}

// inNetns runs fn on a thread moved into the namespace at path. The thread
// stays locked and so dies with the call instead of going back to the pool
// in the wrong namespace.
func inNetns(path string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("opening the namespace: %w", err)
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("entering the namespace: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
