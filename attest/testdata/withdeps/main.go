// Command withdeps is a binary for attest's tests: it links one module
// besides the standard library, so its build info lists a dependency with
// a version and an h1 sum, as a real service's does.
package main

import (
	"fmt"

	"golang.org/x/sync/errgroup"
)

func main() {
	var g errgroup.Group
	g.Go(func() error { return nil })
	fmt.Println(g.Wait())
}
