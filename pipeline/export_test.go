package pipeline

// SetAfterCompileHook runs f (with the package directory) after each compile
// of a cached build, before its inputs are stamped; the returned func
// removes it.
func SetAfterCompileHook(f func(pkgDir string)) func() {
	testHookAfterCompile = f
	return func() { testHookAfterCompile = nil }
}
