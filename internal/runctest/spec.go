package runctest

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// defaultPath is what containerd puts in PATH when the image sets none.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Capabilities is the OCI process capability set. Sets left empty are
// omitted from config.json, which runc treats as "no capabilities".
type Capabilities struct {
	Bounding    []string `json:"bounding,omitempty"`
	Effective   []string `json:"effective,omitempty"`
	Permitted   []string `json:"permitted,omitempty"`
	Inheritable []string `json:"inheritable,omitempty"`
	Ambient     []string `json:"ambient,omitempty"`
}

// DefaultCapabilities returns what containerd grants a container that asks
// for nothing special. Inheritable and Ambient stay empty on purpose: with
// ambient capabilities any uid could bind privileged ports, and a test could
// no longer tell whether the image's file capability did the work.
func DefaultCapabilities() *Capabilities {
	caps := []string{
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
		"CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
		"CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
		"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
	}
	return &Capabilities{
		Bounding:  caps,
		Effective: slices.Clone(caps),
		Permitted: slices.Clone(caps),
	}
}

// Options adjusts how Start runs an image. Zero values take the image config
// (Entrypoint+Cmd, Env, User, WorkingDir) and containerd's defaults.
type Options struct {
	// Runc is the runc binary; "runc" from PATH when empty.
	Runc string
	// Args replaces Entrypoint+Cmd when non-nil.
	Args []string
	// Env replaces the image environment when non-nil.
	Env []string
	// User replaces the image user; only numeric "uid[:gid]" is understood
	// because distroless images may carry no /etc/passwd to consult.
	User string
	// Cwd replaces the image working directory.
	Cwd string
	// Capabilities replaces DefaultCapabilities when non-nil; use an empty
	// value to run with no capabilities at all.
	Capabilities *Capabilities
	// NoNewPrivileges sets the no_new_privs bit, as a pod with
	// allowPrivilegeEscalation: false would.
	NoNewPrivileges bool
	// Logs also receives the container's stdout and stderr as they arrive.
	Logs io.Writer
}

// process is the part of config.json this package owns; everything else is
// kept from `runc spec` so mounts, masked paths and namespaces stay whatever
// this runc version considers standard.
type process struct {
	Terminal        bool          `json:"terminal"`
	User            user          `json:"user"`
	Args            []string      `json:"args"`
	Env             []string      `json:"env"`
	Cwd             string        `json:"cwd"`
	Capabilities    *Capabilities `json:"capabilities"`
	Rlimits         any           `json:"rlimits,omitempty"`
	NoNewPrivileges bool          `json:"noNewPrivileges"`
}

type user struct {
	UID uint32 `json:"uid"`
	GID uint32 `json:"gid"`
}

// writeSpec creates config.json in bundle from `runc spec` and rewrites the
// process and root so the container looks like a non-root containerd one.
func writeSpec(runc, bundle string, cfg *v1.Config, opts Options) error {
	file := filepath.Join(bundle, "config.json")
	if err := os.Remove(file); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("removing stale spec: %w", err)
	}
	if out, err := exec.Command(runc, "spec", "--bundle", bundle).CombinedOutput(); err != nil {
		return fmt.Errorf("generating default spec: %w: %s", err, out)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading default spec: %w", err)
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("decoding default spec: %w", err)
	}
	proc, err := buildProcess(cfg, opts)
	if err != nil {
		return err
	}
	if old, ok := spec["process"].(map[string]any); ok {
		proc.Rlimits = old["rlimits"]
	}
	spec["process"] = proc
	spec["root"] = map[string]any{"path": "rootfs", "readonly": false}
	if linux, ok := spec["linux"].(map[string]any); ok {
		// An unprivileged port floor would let any uid bind :80.
		delete(linux, "sysctl")
	}
	raw, err = json.MarshalIndent(spec, "", "\t")
	if err != nil {
		return fmt.Errorf("encoding spec: %w", err)
	}
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		return fmt.Errorf("writing spec: %w", err)
	}
	return nil
}

func buildProcess(cfg *v1.Config, opts Options) (*process, error) {
	p := &process{
		Args:            opts.Args,
		Env:             opts.Env,
		Cwd:             opts.Cwd,
		Capabilities:    opts.Capabilities,
		NoNewPrivileges: opts.NoNewPrivileges,
	}
	userSpec := opts.User
	if cfg != nil {
		if p.Args == nil {
			p.Args = append(slices.Clone(cfg.Entrypoint), cfg.Cmd...)
		}
		if p.Env == nil {
			p.Env = mergeEnv([]string{defaultPath}, cfg.Env)
		}
		if p.Cwd == "" {
			p.Cwd = cfg.WorkingDir
		}
		if userSpec == "" {
			userSpec = cfg.User
		}
	}
	if len(p.Args) == 0 {
		return nil, fmt.Errorf("building process: image has no entrypoint or cmd")
	}
	if p.Env == nil {
		p.Env = []string{defaultPath}
	}
	if p.Cwd == "" {
		p.Cwd = "/"
	}
	if p.Capabilities == nil {
		p.Capabilities = DefaultCapabilities()
	}
	u, err := parseUser(userSpec)
	if err != nil {
		return nil, err
	}
	p.User = u
	return p, nil
}

// mergeEnv overrides base entries by variable name, as containerd does when
// it layers the image environment over its defaults.
func mergeEnv(base, overrides []string) []string {
	out := slices.Clone(base)
	for _, kv := range overrides {
		name, _, _ := strings.Cut(kv, "=")
		i := slices.IndexFunc(out, func(e string) bool { return strings.HasPrefix(e, name+"=") })
		if i >= 0 {
			out[i] = kv
		} else {
			out = append(out, kv)
		}
	}
	return out
}

// parseUser reads "uid[:gid]"; a missing gid means 0, which is what
// containerd falls back to when /etc/passwd does not name the uid.
func parseUser(s string) (user, error) {
	if s == "" {
		return user{}, nil
	}
	uidStr, gidStr, hasGID := strings.Cut(s, ":")
	uid, err := strconv.ParseUint(uidStr, 10, 32)
	if err != nil {
		return user{}, fmt.Errorf("parsing user %q: only numeric uid[:gid] is supported: %w", s, err)
	}
	var gid uint64
	if hasGID {
		if gid, err = strconv.ParseUint(gidStr, 10, 32); err != nil {
			return user{}, fmt.Errorf("parsing group of user %q: %w", s, err)
		}
	}
	return user{UID: uint32(uid), GID: uint32(gid)}, nil
}
