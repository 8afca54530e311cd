package dev

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
)

// Logs streams the logs of every container of the pods a selector
// matches, as each starts, each line prefixed with "[pod/container]" (or
// "[pod]" for single-container pods) and written whole, so lines of
// different pods never interleave mid-line.
type Logs struct {
	cs   kubernetes.Interface
	out  io.Writer
	mu   sync.Mutex // serializes writes to out
	seen map[string]bool
	wg   sync.WaitGroup
}

// NewLogs writes to out.
func NewLogs(cs kubernetes.Interface, out io.Writer) *Logs {
	return &Logs{cs: cs, out: out, seen: map[string]bool{}}
}

// Follow streams the pods of namespace ns that selector matches until ctx
// ends, including pods created later. Containers already running when it
// starts are streamed from their start; containers seen only after the
// selector's first listing from their first line too.
func (l *Logs) Follow(ctx context.Context, ns, selector string) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for ctx.Err() == nil {
			l.watch(ctx, ns, selector)
			// A watch ends when the apiserver closes it: list again.
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
}

// Wait returns once every stream has ended.
func (l *Logs) Wait() { l.wg.Wait() }

func (l *Logs) watch(ctx context.Context, ns, selector string) {
	list, err := l.cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return
	}
	for i := range list.Items {
		l.start(ctx, &list.Items[i])
	}
	w, err := l.cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{LabelSelector: selector, ResourceVersion: list.ResourceVersion})
	if err != nil {
		return
	}
	defer w.Stop()
	for ev := range w.ResultChan() {
		if p, ok := ev.Object.(*corev1.Pod); ok && ev.Type != watch.Deleted {
			l.start(ctx, p)
		}
	}
}

// start begins streaming each container of p that runs or has run, once.
func (l *Logs) start(ctx context.Context, p *corev1.Pod) {
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Running == nil && s.State.Terminated == nil {
			continue
		}
		key := fmt.Sprintf("%s/%s/%s/%d", p.Namespace, p.Name, s.Name, s.RestartCount)
		l.mu.Lock()
		seen := l.seen[key]
		l.seen[key] = true
		l.mu.Unlock()
		if seen {
			continue
		}
		prefix := "[" + p.Name + "] "
		if len(p.Spec.Containers) > 1 {
			prefix = "[" + p.Name + "/" + s.Name + "] "
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.stream(ctx, p.Namespace, p.Name, s.Name, prefix)
		}()
	}
}

func (l *Logs) stream(ctx context.Context, ns, pod, container, prefix string) {
	rc, err := l.cs.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: container, Follow: true}).Stream(ctx)
	if err != nil {
		if ctx.Err() == nil {
			l.line(prefix + "(no logs: " + err.Error() + ")")
		}
		return
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l.line(prefix + sc.Text())
	}
}

func (l *Logs) line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.out, s)
}
