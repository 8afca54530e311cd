package containerd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	imagesapi "github.com/containerd/containerd/api/services/images/v1"
	leasesapi "github.com/containerd/containerd/api/services/leases/v1"
	contentproxy "github.com/containerd/containerd/v2/core/content/proxy"
	"github.com/containerd/containerd/v2/core/leases"
	leasesproxy "github.com/containerd/containerd/v2/core/leases/proxy"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/google/go-containerregistry/pkg/name"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/hoist-build/hoist/publish"
)

// Host is the repository host that names this destination: --repo
// containerd.local (or containerd.local/PATH).
const Host = "containerd.local"

// DefaultAddress and DefaultNamespace are where a kubelet's containerd
// keeps its images: the CRI plugin reads only the k8s.io namespace.
const (
	DefaultAddress   = "/run/containerd/containerd.sock"
	DefaultNamespace = "k8s.io"
)

// Options configure the destination.
type Options struct {
	// Repo is containerd.local or containerd.local/PATH; images are named
	// Repo/<image name>, or Repo itself with Bare.
	Repo string
	Bare bool
	Tags []string
	// Address is containerd's socket, Namespace its namespace.
	Address, Namespace string
	Logger             *slog.Logger
}

// Publisher loads images into one containerd.
type Publisher struct {
	opts Options
	conn *grpc.ClientConn
}

// IsRepo tells whether repo names this destination.
func IsRepo(repo string) bool {
	return repo == Host || strings.HasPrefix(repo, Host+"/")
}

// New checks the options and that the socket exists, so a wrong address
// fails before anything is built. The connection itself is made lazily.
func New(opts Options) (*Publisher, error) {
	if !IsRepo(opts.Repo) {
		return nil, fmt.Errorf("loading into containerd: repository %q does not start with %s", opts.Repo, Host)
	}
	if opts.Bare && opts.Repo == Host {
		return nil, fmt.Errorf("loading into containerd: --bare needs a repository path: use --repo %s/NAME", Host)
	}
	if err := publish.ValidateTags(opts.Tags); err != nil {
		return nil, err
	}
	if opts.Address == "" {
		opts.Address = DefaultAddress
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	addr := strings.TrimPrefix(opts.Address, "unix://")
	if fi, err := os.Stat(addr); err != nil || fi.Mode()&os.ModeSocket == 0 {
		return nil, fmt.Errorf("loading into containerd: no socket at %s: start containerd, or set CONTAINERD_ADDRESS or --containerd-address to its socket", addr)
	}
	conn, err := grpc.NewClient("unix://"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(16<<20), grpc.MaxCallSendMsgSize(16<<20)))
	if err != nil {
		return nil, fmt.Errorf("loading into containerd at %s: %w", addr, err)
	}
	opts.Address = addr
	return &Publisher{opts: opts, conn: conn}, nil
}

// Close releases the connection.
func (p *Publisher) Close() error { return p.conn.Close() }

// Publish writes every blob of art that containerd lacks, then points the
// digest-named and tag-named image records at it, and returns the digest
// reference.
func (p *Publisher) Publish(ctx context.Context, imageName string, art publish.Artifact) (string, error) {
	repoName := p.opts.Repo + "/" + imageName
	if p.opts.Bare {
		repoName = p.opts.Repo
	}
	repo, err := name.NewRepository(repoName)
	if err != nil {
		return "", fmt.Errorf("loading into containerd: invalid image name %q: %w", repoName, err)
	}
	start := time.Now()
	ctx = namespaces.WithNamespace(ctx, p.opts.Namespace)
	lm := leasesproxy.NewLeaseManager(leasesapi.NewLeasesClient(p.conn))
	// The lease outlives a crash by an hour at most; normally it is
	// deleted once the image records hold the blobs.
	lease, err := lm.Create(ctx, leases.WithRandomID(), leases.WithExpiration(time.Hour))
	if err != nil {
		return "", p.wrap("creating a lease", err)
	}
	defer func() {
		if err := lm.Delete(context.WithoutCancel(ctx), lease); err != nil {
			p.opts.Logger.Warn("deleting the containerd lease", "lease", lease.ID, "error", err)
		}
	}()
	ctx = leases.WithLease(ctx, lease.ID)
	w := &writer{cs: contentproxy.NewContentStore(p.conn)}
	target, err := w.artifact(ctx, art)
	if err != nil {
		return "", p.wrap("writing "+repoName, err)
	}
	digestRef := repo.Digest(target.Digest.String())
	names := []string{digestRef.String()}
	for _, tag := range tagsOrDefault(p.opts.Tags) {
		names = append(names, repo.Tag(tag).String())
	}
	is := imagesapi.NewImagesClient(p.conn)
	for _, n := range names {
		if err := putImage(ctx, is, n, target); err != nil {
			return "", p.wrap("recording image "+n, err)
		}
	}
	p.opts.Logger.Info("loaded into containerd", "image", digestRef.String(), "namespace", p.opts.Namespace,
		"blobs_written", w.written, "blobs_present", w.present, "elapsed", time.Since(start).Round(time.Millisecond))
	return digestRef.String(), nil
}

// wrap names the socket in every error, since the usual cause of a failure
// is a containerd that is not the one the user meant.
func (p *Publisher) wrap(doing string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("loading into containerd at %s (namespace %s): %s: %w", p.opts.Address, p.opts.Namespace, doing, err)
}

func tagsOrDefault(tags []string) []string {
	if len(tags) == 0 {
		return []string{publish.DefaultTag}
	}
	return tags
}
