package pipeline_test

import (
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
