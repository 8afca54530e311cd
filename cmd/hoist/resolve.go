package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/resolve"
)

func newResolveCmd() *cobra.Command {
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
		RunE: runResolve,
	}
	addBuildFlags(cmd.Flags())
	cmd.Flags().StringArrayP("filename", "f", nil, "YAML file, directory of *.yaml/*.yml/*.json, or - for stdin (repeatable)")
	cmd.Flags().BoolP("recursive", "R", false, "also read the subdirectories of -f directories")
	return cmd
}

func runResolve(cmd *cobra.Command, _ []string) error {
	names, _ := cmd.Flags().GetStringArray("filename")
	recursive, _ := cmd.Flags().GetBool("recursive")
	files, err := resolve.Files(names, recursive)
	if err != nil {
		return err
	}
	docs, paths, err := readManifests(cmd.InOrStdin(), files)
	if err != nil {
		return err
	}
	refs := map[string]string{}
	if len(paths) > 0 {
		if refs, err = buildRefs(cmd, paths); err != nil {
			return err
		}
	}
	for i, f := range files {
		if docs[i], err = resolve.Replace(docs[i], refs); err != nil {
			return fmt.Errorf("resolving %s: %w", f, err)
		}
	}
	_, err = cmd.OutOrStdout().Write(resolve.Concat(docs...))
	return err
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
func buildRefs(cmd *cobra.Command, paths []string) (map[string]string, error) {
	s, err := loadSettings(cmd.Flags())
	if err != nil {
		return nil, err
	}
	if err := s.requireRegistry("hoist resolve"); err != nil {
		return nil, err
	}
	log, finish, err := s.startProgress(cmd)
	if err != nil {
		return nil, err
	}
	defer finish()
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	opts, err := s.pipelineOptions(cwd, paths, log)
	if err != nil {
		return nil, err
	}
	results, err := runPipeline(cmd.Context(), opts)
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	for _, r := range results {
		refs[r.ImportPath] = r.Ref
	}
	for _, p := range paths {
		if _, ok := refs[p]; !ok {
			return nil, fmt.Errorf("resolving %s%s: the build reported no image for it; write the package's import path exactly as `go list` prints it", resolve.Scheme, p)
		}
	}
	return refs, nil
}
