package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// loop is one variant of the inner loop, with its own copy of the module
// and its own namespace, so the variants can take turns edit by edit on
// one cluster and share whatever the machine's load does meanwhile.
type loop struct {
	label, ns, src string
	orig           []byte
	// edit makes the n-th change and returns the text a new pod answers
	// with: a one-line change of app, or for the floor a new pod template.
	edit func(ctx context.Context, n int) (string, error)
	// after runs once the edit is written: nothing for hoist dev, which
	// watches; ko apply for ko.
	after   func(context.Context) error
	stop    func()
	samples []time.Duration
}

// devLoop measures, on the project's single-node cluster, the time from
// writing a one-line change to the first answer carrying it from a new
// pod: hoist dev loading into the node's containerd, hoist dev through the
// local registry, and ko apply after each edit, as a developer would run
// it. The variants alternate edit by edit; a first edit of each warms it
// up unmeasured, and each run starts from a settled rollout.
func (e *env) devLoop(ctx context.Context, runs int, koVersion, out string) error {
	cl, err := e.startCluster(ctx)
	if err != nil {
		return fmt.Errorf("starting the cluster: %w", err)
	}
	defer cl.s.Close()
	variants := []struct{ label, ns string }{
		{"hoist dev, --repo containerd.local", "loop-containerd"},
		{"hoist dev, local registry", "loop-registry"},
		{"ko apply after each edit (ko " + koVersion + ")", "loop-ko"},
		{floorLabel, floorNS},
	}
	var loops []*loop
	defer func() {
		for _, l := range loops {
			if l.stop != nil {
				l.stop()
			}
		}
	}()
	for _, v := range variants {
		l, err := e.startLoop(ctx, cl, v.label, v.ns)
		if err != nil {
			return fmt.Errorf("%s: %w", v.label, err)
		}
		loops = append(loops, l)
	}
	loadBefore := loadAverage()
	for i := 0; i <= runs; i++ {
		for _, l := range loops {
			// Every loop's rollout is over, not just this one's: the
			// previous loop's pods starting and stopping would share the
			// two cores with this loop's build.
			for _, other := range loops {
				if err := cl.settled(ctx, other.ns); err != nil {
					return fmt.Errorf("%s: %w", other.label, err)
				}
			}
			d, err := l.once(ctx, cl, i)
			if err != nil {
				return fmt.Errorf("%s: %w", l.label, err)
			}
			if i > 0 { // the first edit warms the loop up
				l.samples = append(l.samples, d)
				fmt.Fprintf(os.Stderr, "bench:   %s run %d: %v\n", l.label, i, d.Round(time.Millisecond))
			}
		}
	}
	machine := fmt.Sprintf("%s; load average %s before the runs, %s after", describeMachine(ctx), loadBefore, loadAverage())
	report := loopMarkdown(loops, machine)
	fmt.Print(report)
	return os.WriteFile(out, []byte(report+handKept(out)), 0o644)
}

// handKept is what follows handMarker in the existing results file: the
// reading of the figures, written by hand, which a new run keeps.
func handKept(path string) string {
	old, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if i := strings.Index(string(old), handMarker); i >= 0 {
		return "\n" + string(old[i:])
	}
	return ""
}

const handMarker = "<!-- kept by hand below"

// once writes the n-th edit and times it to the first answer.
func (l *loop) once(ctx context.Context, cl *cluster, n int) (time.Duration, error) {
	start := time.Now()
	want, err := l.edit(ctx, n)
	if err != nil {
		return 0, err
	}
	if err := l.after(ctx); err != nil {
		return 0, err
	}
	answered, err := cl.firstAnswer(ctx, l.ns, start, want)
	return answered.Sub(start), err
}

// startLoop copies the module, creates the namespace and deploys the app
// there with the variant's tool.
func (e *env) startLoop(ctx context.Context, cl *cluster, label, ns string) (*loop, error) {
	fmt.Fprintln(os.Stderr, "bench: starting", label)
	l := &loop{label: label, ns: ns, src: filepath.Join(e.work, ns)}
	os.RemoveAll(l.src)
	if err := os.MkdirAll(l.src, 0o755); err != nil {
		return nil, err
	}
	for _, f := range []string{"go.mod", "go.sum", ".ko.yaml", "app", "deploy/app.yaml"} {
		if _, err := e.runQuiet(ctx, e.root, nil, "cp", "-r", "--parents", f, l.src); err != nil {
			return nil, err
		}
	}
	var err error
	if l.orig, err = os.ReadFile(filepath.Join(l.src, "app", "server.go")); err != nil {
		return nil, err
	}
	l.edit = func(_ context.Context, n int) (string, error) { return loopEdit(l.src, l.orig, n) }
	if _, err := cl.cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	kubeconfig := "--kubeconfig=" + cl.c.Kubeconfig
	switch ns {
	case "loop-ko":
		err = e.startKo(ctx, cl, l)
	case floorNS:
		err = e.startFloor(ctx, cl, l, kubeconfig)
	case "loop-containerd":
		err = e.startDev(ctx, l, "dev", "-f", "deploy/app.yaml", kubeconfig, "-n", ns, "--repo", "containerd.local", "--containerd-address", cl.node.ContainerdSocket())
	default:
		err = e.startDev(ctx, l, "dev", "-f", "deploy/app.yaml", kubeconfig, "-n", ns, "--repo", e.registry+"/dev")
	}
	return l, err
}

// startDev runs hoist dev in the loop's copy until it watches.
func (e *env) startDev(ctx context.Context, l *loop, args ...string) error {
	logPath := filepath.Join(e.work, l.ns+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := e.command(ctx, l.src, []string{"HOIST_CACHE=" + filepath.Join(e.work, "hoist-cache")}, filepath.Join(e.bin, "hoist"), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); logFile.Close() }()
	l.after = func(context.Context) error { return nil }
	l.stop = func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		data, _ := os.ReadFile(logPath)
		if strings.Contains(string(data), "hoist dev: watching") {
			return nil
		}
		select {
		case err := <-done:
			return fmt.Errorf("hoist dev exited: %v\n%s", err, data)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("hoist dev did not start watching in 5 minutes:\n%s", data)
		}
	}
}

// startKo applies once with ko; each edit then runs ko apply again.
func (e *env) startKo(ctx context.Context, cl *cluster, l *loop) error {
	if _, err := os.Stat(filepath.Join(cl.bin, "kubectl")); err != nil {
		return fmt.Errorf("ko apply runs kubectl: build it with test/cluster/build.sh kubectl")
	}
	env := []string{"KO_DOCKER_REPO=" + e.registry + "/ko", "KO_DEFAULTBASEIMAGE=" + e.registry + "/base:latest",
		"KUBECONFIG=" + cl.c.Kubeconfig, "PATH=" + cl.bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	l.after = func(ctx context.Context) error {
		_, err := e.runQuiet(ctx, l.src, env, filepath.Join(e.bin, "ko"), "apply", "-f", "deploy/app.yaml", "--", "--namespace="+l.ns)
		return err
	}
	return l.after(ctx)
}

// loadAverage is the 1-minute load average: the loop is mostly waiting on
// other processes, so a busy machine shows in every figure.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(data))[0]
}
