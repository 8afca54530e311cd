package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/resolve"
)

func newResolveCmd() *cobra.Command {
	var files fileFlags
	cmd := &cobra.Command{
		Use:   "resolve -f FILE|DIR|- [-R] [flags]",
		Short: "Build the ko:// import paths in YAML files and print them with digest references",
		Long: `Find every ko://IMPORTPATH string in the YAML (or JSON) files, build each
package once, in one parallel run with the same flags and configuration as
"hoist build", push the images, and print the files with each ko:// string
replaced by its image's digest reference. Everything else in the files,
comments and quoting included, is printed as it is; several files are joined
with "---". Nothing is printed if any build fails.

The import path must be the package's full import path, as ko's strict mode
requires: ko://github.com/acme/svc/cmd/api, not ko://./cmd/api.`,
		Args: cobra.NoArgs,
	}
	files.register(cmd.Flags())
	return withSettings(cmd, buildSpec, func(cmd *cobra.Command, _ []string, s *settings) error {
		return runResolve(cmd, files, s)
	})
}

func runResolve(cmd *cobra.Command, ff fileFlags, s *settings) error {
	files, docs, paths, err := ff.read(cmd.InOrStdin())
	if err != nil {
		return err
	}
	docs, err = resolveDocs(cmd, s, files, docs, paths)
	if err != nil {
		return err
	}
	_, err = cmd.OutOrStdout().Write(resolve.Concat(docs...))
	return err
}

// read expands the -f arguments and reads every file before anything else
// happens.
func (ff fileFlags) read(stdin io.Reader) (files []string, docs [][]byte, paths []string, err error) {
	if files, err = resolve.Files(ff.names, ff.recursive); err != nil {
		return nil, nil, nil, err
	}
	docs, paths, err = readManifests(stdin, files)
	return files, docs, paths, err
}

// resolveDocs builds and pushes the import paths, if any, and puts their
// digest references in the documents.
func resolveDocs(cmd *cobra.Command, s *settings, files []string, docs [][]byte, paths []string) ([][]byte, error) {
	refs := map[string]string{}
	if len(paths) > 0 {
		var err error
		if refs, err = buildRefs(cmd, s, paths); err != nil {
			return nil, err
		}
	}
	out := make([][]byte, len(docs))
	for i, f := range files {
		var err error
		if out[i], err = resolve.Replace(docs[i], refs); err != nil {
			return nil, fmt.Errorf("resolving %s: %w", f, err)
		}
	}
	return out, nil
}

// readManifests reads every file before anything is built, so a typo in
// the last file does not cost the builds, and collects their import paths.
func readManifests(stdin io.Reader, files []string) ([][]byte, []string, error) {
	docs := make([][]byte, len(files))
	seen := map[string]bool{}
	var paths []string
	for i, f := range files {
		var err error
		if f == resolve.Stdin {
			docs[i], err = io.ReadAll(stdin)
		} else {
			docs[i], err = os.ReadFile(f)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s: %w", f, err)
		}
		refs, err := resolve.Refs(docs[i])
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s: %w", f, err)
		}
		for _, r := range refs {
			if !seen[r] {
				seen[r] = true
				paths = append(paths, r)
			}
		}
	}
	return docs, paths, nil
}

// buildRefs builds and pushes every import path in one run and maps each
// to its digest reference by the import path the build reports.
func buildRefs(cmd *cobra.Command, s *settings, paths []string) (map[string]string, error) {
	if err := s.dest.requireRegistry("hoist " + cmd.Name()); err != nil {
		return nil, err
	}
	d, cwd, err := startRun(cmd, s)
	if err != nil {
		return nil, err
	}
	defer d.finish()
	opts, err := s.runOptions(cwd, paths, d)
	if err != nil {
		return nil, err
	}
	results, err := runPipeline(cmd.Context(), opts)
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	return refs, collectRefs(refs, results, paths)
}

// collectRefs adds each result's reference under its import path and
// fails for a path the build reported no image for.
func collectRefs(refs map[string]string, results []pipeline.Result, paths []string) error {
	for _, r := range results {
		refs[r.ImportPath] = r.Ref
	}
	for _, p := range paths {
		if _, ok := refs[p]; !ok {
			return fmt.Errorf("resolving %s%s: the build reported no image for it; write the package's import path exactly as `go list` prints it", resolve.Scheme, p)
		}
	}
	return nil
}
