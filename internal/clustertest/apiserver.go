package clustertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ServiceCIDR is the cluster's service range; nothing routes it here, it
// only has to be valid.
const ServiceCIDR = "10.96.0.0/24"

// readyTimeout bounds each stage's start; the control plane takes ~5 s on
// 2 cores.
const readyTimeout = 2 * time.Minute

// Options name the binaries to run.
type Options struct {
	Etcd, APIServer string
}

// Cluster is a running control plane.
type Cluster struct {
	// Dir holds the certificates, logs, etcd's data and the kubeconfig.
	Dir string
	// Kubeconfig is a kubeconfig file for a system:masters user, its
	// context named "clustertest".
	Kubeconfig string
	// Config is the same, for client-go.
	Config *rest.Config
	// Server is the apiserver's https URL; CertFile its serving
	// certificate, also the CA to trust; SAKeyFile the service-account
	// signing key.
	Server, CertFile, SAKeyFile string
	Etcd, APIServer             *Process
}

// Run starts a control plane for the test and stops it when the test ends.
func Run(t testing.TB, opts Options) *Cluster {
	t.Helper()
	s := &Stack{}
	t.Cleanup(s.Close)
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	c, err := Start(ctx, s, t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Start runs etcd and kube-apiserver, files in dir, until s is closed, and
// returns once the apiserver reports ready.
func Start(ctx context.Context, s *Stack, dir string, opts Options) (*Cluster, error) {
	p, err := writePKI(dir)
	if err != nil {
		return nil, fmt.Errorf("writing certificates: %w", err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdURL, peerURL := "http://127.0.0.1:"+itoa(ports[0]), "http://127.0.0.1:"+itoa(ports[1])
	etcd, err := StartProcess(s, dir, "etcd", opts.Etcd,
		"--name=default", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL, "--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=default="+peerURL, "--log-level=warn", "--logger=zap")
	if err != nil {
		return nil, err
	}
	api, err := StartProcess(s, dir, "kube-apiserver", opts.APIServer,
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+itoa(ports[2]),
		"--tls-cert-file="+p.certFile, "--tls-private-key-file="+p.keyFile,
		"--token-auth-file="+p.tokenFile, "--authorization-mode=Node,RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+p.saPub, "--service-account-signing-key-file="+p.saKey,
		"--service-cluster-ip-range="+ServiceCIDR, "--cert-dir="+filepath.Join(dir, "certs"))
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		Dir: dir, Kubeconfig: filepath.Join(dir, "kubeconfig"),
		Server:   fmt.Sprintf("https://127.0.0.1:%d", ports[2]),
		CertFile: p.certFile, SAKeyFile: p.saKey, Etcd: etcd, APIServer: api,
	}
	c.Config = &rest.Config{Host: c.Server, BearerToken: p.token, TLSClientConfig: rest.TLSClientConfig{CAData: p.caPEM}}
	if err := writeKubeconfig(c.Kubeconfig, c.Server, p.caPEM, p.token); err != nil {
		return nil, err
	}
	if err := api.WaitFor(ctx, c.ready); err != nil {
		return nil, fmt.Errorf("starting the control plane: %w\n%s", err, etcd.Tail())
	}
	return c, nil
}

// ready asks the apiserver's /readyz, which passes once etcd answers and
// the built-in objects (the default namespace, RBAC roles) exist.
func (c *Cluster) ready(ctx context.Context) error {
	rt, err := rest.TransportFor(c.Config)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Server+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: rt, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/readyz: %s: %s", resp.Status, body)
	}
	return nil
}

func writeKubeconfig(path, server string, ca []byte, token string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["clustertest"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["clustertest"] = &clientcmdapi.Context{Cluster: "clustertest", AuthInfo: "admin"}
	cfg.CurrentContext = "clustertest"
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("writing kubeconfig: %w", err)
	}
	return nil
}
