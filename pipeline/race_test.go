package pipeline_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/hoist-build/hoist/pipeline"
)

// TestSaveDuringBuildIsNotFiled: a file saved after the compiler read it
// but before hoist stamped the inputs must not file the old program under
// the new file's stamp; the next cached build must match a clean one.
func TestSaveDuringBuildIsNotFiled(t *testing.T) {
	s := newScratch(t)
	s.check("initial")
	s.replace("mod/lib/lib.go", "hello-1", "hello-2")
	var once sync.Once
	defer pipeline.SetAfterCompileHook(func(string) {
		once.Do(func() { s.replace("mod/lib/lib.go", "hello-2", "hello-saved") })
	})()
	s.build(true) // compiles hello-2; the save lands before the stamps
	s.step = "save during the build"
	s.check(s.step)
}

// TestBuildRightAfterSave: a build starting within the clock margin of a
// save (as hoist dev's does) can never be recorded, so it must not spend
// a go list on its inputs beside the compile; it must still publish what a
// clean build does, and the fast path must come back once the save ages.
func TestBuildRightAfterSave(t *testing.T) {
	s := newScratch(t)
	if !s.check("initial") {
		t.Fatal("initial: the fast path was never taken")
	}
	s.replace("mod/lib/lib.go", "hello-1", "hello-right-after")
	cached, _ := s.build(true)
	if !strings.Contains(s.logs, "a source was saved just now") {
		t.Errorf("a build right after a save listed its inputs; log:\n%s", s.logs)
	}
	if clean, _ := s.build(false); cached != clean {
		t.Errorf("cached build %s, clean build %s", cached, clean)
	}
	if !s.check("after the save aged") {
		t.Error("the fast path did not come back after the save aged")
	}
}
