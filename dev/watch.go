package dev

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Quiet is how long the watched files must stay unchanged before a batch
// is delivered: editors save in several writes (a temporary file, a
// rename, a chmod), and gofmt-on-save rewrites the file once more.
const Quiet = 30 * time.Millisecond

// Watcher watches directories (non-recursively, as Go packages are one
// directory each) and delivers the changed files in batches.
type Watcher struct {
	// Quiet is the settling time of a batch, the package's Quiet unless set.
	Quiet   time.Duration
	w       *fsnotify.Watcher
	watched map[string]bool
}

// NewWatcher starts watching nothing; Watch adds directories.
func NewWatcher() (*Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("starting the file watcher: %w", err)
	}
	return &Watcher{Quiet: Quiet, w: w, watched: map[string]bool{}}, nil
}

// Watch adds the directories not yet watched and returns how many it
// added. Manifest files are watched through their directories, since
// editors replace files by renaming.
func (w *Watcher) Watch(dirs ...string) (int, error) {
	added := 0
	for _, d := range dirs {
		d = filepath.Clean(d)
		if w.watched[d] {
			continue
		}
		if err := w.w.Add(d); err != nil {
			return added, fmt.Errorf("watching %s: %w", d, err)
		}
		w.watched[d] = true
		added++
	}
	return added, nil
}

// Close stops watching.
func (w *Watcher) Close() error { return w.w.Close() }

// Batches delivers the absolute paths of changed files, each batch once
// Quiet has passed without a further change, until ctx ends. A watcher
// error is delivered on errs and watching goes on.
func (w *Watcher) Batches(ctx context.Context, errs chan<- error) <-chan []string {
	out := make(chan []string)
	go func() {
		defer close(out)
		var pending []string
		timer := time.NewTimer(time.Hour)
		timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.w.Events:
				if !ok {
					return
				}
				if ev.Op == fsnotify.Chmod {
					continue
				}
				if p, err := filepath.Abs(ev.Name); err == nil && !slices.Contains(pending, p) {
					pending = append(pending, p)
				}
				timer.Reset(w.Quiet)
			case err, ok := <-w.w.Errors:
				if !ok {
					return
				}
				select {
				case errs <- err:
				default:
				}
			case <-timer.C:
				batch := pending
				pending = nil
				select {
				case out <- batch:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}
