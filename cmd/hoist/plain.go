package main

import (
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/hoist-build/hoist/pipeline"
)

// plainProgress logs one line when a phase starts and, for a phase that
// keeps running (a compile, a push), a heartbeat every interval, so a CI
// log shows the run is alive during a four-minute compile.
type plainProgress struct {
	log      *slog.Logger
	interval time.Duration
	now      func() time.Time

	mu     sync.Mutex
	phases map[string]phase // by image and platform
}

type phase struct {
	image, platform string
	stage           pipeline.Stage
	since, told     time.Time
}

func newPlainProgress(log *slog.Logger, interval time.Duration, now func() time.Time) *plainProgress {
	return &plainProgress{log: log, interval: interval, now: now, phases: map[string]phase{}}
}

// running says whether a stage lasts until another event ends it; the
// others are instants or waits for another image.
func running(s pipeline.Stage) bool {
	return s == pipeline.StageCompiling || s == pipeline.StagePushing
}

func (p *plainProgress) event(e pipeline.Event) {
	key := e.Image + " " + e.Platform
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.phases[key]; ok && old.stage == e.Stage {
		return
	}
	t := p.now()
	p.phases[key] = phase{image: e.Image, platform: e.Platform, stage: e.Stage, since: t, told: t}
	if e.Stage == pipeline.StagePushing || e.Stage == pipeline.StageDone {
		// The image moved on as a whole: its platforms' phases are over.
		for k, ph := range p.phases {
			if ph.image == e.Image && ph.platform != "" {
				delete(p.phases, k)
			}
		}
	}
	p.log.Info(string(e.Stage), attrs(e.Image, e.Platform)...)
}

// beat logs every running phase that has been silent for an interval.
func (p *plainProgress) beat() {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.now()
	keys := make([]string, 0, len(p.phases))
	for k := range p.phases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ph := p.phases[k]
		if !running(ph.stage) || t.Sub(ph.told) < p.interval {
			continue
		}
		ph.told = t
		p.phases[k] = ph
		args := append(attrs(ph.image, ph.platform), "for", t.Sub(ph.since).Round(time.Second))
		p.log.Info("still "+string(ph.stage), args...)
	}
}

func attrs(image, platform string) []any {
	if platform == "" {
		return []any{"image", image}
	}
	return []any{"image", image, "platform", platform}
}

// start runs the heartbeat until the returned stop is called.
func (p *plainProgress) start() (stop func()) {
	tick := time.NewTicker(p.interval / 5)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		for {
			select {
			case <-tick.C:
				p.beat()
			case <-done:
				return
			}
		}
	}()
	return func() {
		once.Do(func() { tick.Stop(); close(done) })
	}
}
