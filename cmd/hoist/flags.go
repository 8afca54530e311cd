package main

import (
	"runtime"
	"time"

	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/containerd"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sbom"
)

// Every flag is declared once, in the group below that owns it; a command
// registers the groups it reads, and loadSettings reads exactly those.
// Long names are the keys of .hoist.yaml and, upper-cased, of HOIST_*.

// group is a set of flag groups a command takes.
type group uint

const (
	// configGroup: --config, the .hoist.yaml the other groups' keys are
	// read from (and ko's config, for the keys ko shares).
	configGroup group = 1 << iota
	// destinationGroup: where images go (--repo, --oci-layout, ...).
	destinationGroup
	// remoteGroup: how registries are reached (TLS, timeouts, retries).
	remoteGroup
	// outputGroup: the platforms, layer compression and progress display.
	outputGroup
	// portGroup: --port, which the image exposes and manifests use.
	portGroup
	// applicationGroup: the rest of what shapes an application image and
	// its build.
	applicationGroup
	// supplyChainGroup: SBOM, provenance and signing.
	supplyChainGroup
)

// buildGroups are the groups of every command that builds applications.
const buildGroups = configGroup | destinationGroup | remoteGroup | outputGroup | portGroup | applicationGroup | supplyChainGroup

// registryTimeoutFlag names the registry request timeout where --timeout
// means the rollout wait (apply, dev), as in kubectl.
const registryTimeoutFlag = "registry-timeout"

// flagSpec says which groups a command registers, the default platforms,
// and the name of its registry timeout flag.
type flagSpec struct {
	groups    group
	platforms []string
	timeout   string
}

// groupDefs declare each group once: its flags, and how its settings are
// read from them, in the order they are read (the output and supply chain
// groups check the destinations).
var groupDefs = []struct {
	group    group
	register func(flagSpec, *pflag.FlagSet)
	load     func(*settings, reader) error
}{
	{configGroup, func(_ flagSpec, f *pflag.FlagSet) {
		f.String("config", ".hoist.yaml", "image settings file (keys are these flags' names)")
	}, (*settings).loadFiles},
	{destinationGroup, func(_ flagSpec, f *pflag.FlagSet) { addDestinationFlags(f) }, (*settings).loadDestination},
	{remoteGroup, func(s flagSpec, f *pflag.FlagSet) { addRemoteFlags(f, s.timeoutFlag()) }, (*settings).loadRemote},
	{outputGroup, func(s flagSpec, f *pflag.FlagSet) {
		f.StringSlice("platform", s.platforms, "platforms os/arch[/variant], comma-separated, or \"all\"")
		f.String("compression", "gzip", "layer compression: gzip or zstd")
		f.String("progress", "auto", "progress display: auto, plain (log lines), tty (live) or none")
	}, (*settings).loadOutput},
	{portGroup, func(_ flagSpec, f *pflag.FlagSet) {
		f.Int("port", 80, "TCP port the image exposes (0 for none)")
	}, (*settings).loadPort},
	{applicationGroup, func(_ flagSpec, f *pflag.FlagSet) { addApplicationFlags(f) }, (*settings).loadApplication},
	{supplyChainGroup, func(_ flagSpec, f *pflag.FlagSet) { addSupplyChainFlags(f) }, (*settings).loadSupplyChain},
}

// register adds the spec's flags to f.
func (s flagSpec) register(f *pflag.FlagSet) {
	for _, d := range groupDefs {
		if s.groups&d.group != 0 {
			d.register(s, f)
		}
	}
}

func addDestinationFlags(f *pflag.FlagSet) {
	f.String("repo", "", "registry repository to push to (env HOIST_REPO, then KO_DOCKER_REPO)")
	f.Bool("bare", false, "push to --repo itself, without appending the image name")
	f.StringSlice("tag", []string{"latest"}, "tags to publish (repeatable)")
	f.String("oci-layout", "", "write to this OCI image layout directory (and push too if a repository is set)")
	f.String("tarball", "", "write a tarball for docker load (one platform) to this file (and push too if a repository is set)")
	f.String("containerd-address", "", "containerd socket for --repo "+containerd.Host+" (env CONTAINERD_ADDRESS; default "+containerd.DefaultAddress+")")
	f.String("containerd-namespace", "", "containerd namespace for --repo "+containerd.Host+" (env CONTAINERD_NAMESPACE; default "+containerd.DefaultNamespace+", the kubelet's)")
}

// timeoutFlag is the name of the registry request timeout flag:
// "timeout" unless the command's --timeout means another wait.
func (s flagSpec) timeoutFlag() string {
	if s.timeout == "" {
		return "timeout"
	}
	return s.timeout
}

func addRemoteFlags(f *pflag.FlagSet, timeout string) {
	f.Bool("insecure", false, "treat every registry as an --insecure-registry")
	f.StringArray("insecure-registry", nil, "registry HOST[:PORT] that may use plain http and unverified TLS (repeatable); credentials go over plain http to loopback only")
	f.String("ca-cert", "", "PEM file of CA certificates to trust for the registry, besides the system's")
	f.Duration(timeout, registry.DefaultTimeout, "fail a registry request after this long without progress (0: never)")
	f.Int("retries", registry.DefaultRetries, "retries of a registry request that failed with 429/5xx, a reset or a timeout (0: none)")
}

func addApplicationFlags(f *pflag.FlagSet) {
	f.String("user", "65532:65532", "numeric UID[:GID] the process runs as")
	f.String("base", pipeline.BaseDistroless, "base: distroless (synthesized), scratch, or an image reference")
	f.StringArray("label", nil, "image config label key=value (repeatable)")
	f.StringArray("env", nil, "environment variable KEY=VALUE for the process (repeatable)")
	f.StringArray("annotation", nil, "manifest annotation key=value (repeatable)")
	f.Int("jobs", runtime.GOMAXPROCS(0), "platform builds to run at once")
	f.String("cache-dir", "", "build cache directory (env HOIST_CACHE; default the user cache dir + /hoist)")
	f.Bool("no-cache", false, "always compile and compress, ignoring and not filling the build cache")
}

func addSupplyChainFlags(f *pflag.FlagSet) {
	f.String("sbom", string(sbom.FormatSPDX), "SBOM attached to every image: spdx, cyclonedx or none")
	f.String("sbom-dir", "", "also write the SBOMs and provenance to this directory")
	f.Bool("provenance", true, "attach an in-toto SLSA v1 provenance statement")
	f.String("sign-key", "", "sign images and attest SBOM and provenance in cosign's format with this private key: a file, or env://VAR holding the PEM (password in HOIST_PASSWORD or COSIGN_PASSWORD)")
}

// fileFlags are the -f manifests of resolve, apply, dev and delete.
type fileFlags struct {
	names     []string
	recursive bool
}

func (ff *fileFlags) register(f *pflag.FlagSet) {
	f.StringArrayVarP(&ff.names, "filename", "f", nil, "YAML file, directory of *.yaml/*.yml/*.json, or - for stdin (repeatable)")
	f.BoolVarP(&ff.recursive, "recursive", "R", false, "also read the subdirectories of -f directories")
}

// kubeFlags choose the cluster as kubectl does, and bound the waits.
type kubeFlags struct {
	kubeconfig, context, namespace string
	timeout                        time.Duration
}

func (k *kubeFlags) register(f *pflag.FlagSet) {
	f.StringVar(&k.kubeconfig, "kubeconfig", "", "kubeconfig file (default KUBECONFIG, then ~/.kube/config)")
	f.StringVar(&k.context, "context", "", "kubeconfig context (default its current context)")
	f.StringVarP(&k.namespace, "namespace", "n", "", "namespace of the objects that name none (default the context's, else default)")
	f.DurationVar(&k.timeout, "timeout", 5*time.Minute, "how long to wait for the objects to roll out, or to be gone")
}
