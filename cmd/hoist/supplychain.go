package main

import (
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/sbom"
)

func addSupplyChainFlags(f *pflag.FlagSet) {
	f.String("sbom", string(sbom.FormatSPDX), "SBOM attached to every image: spdx, cyclonedx or none")
	f.String("sbom-dir", "", "also write the SBOMs and provenance to this directory")
	f.Bool("provenance", true, "attach an in-toto SLSA v1 provenance statement")
	f.String("sign-key", "", "sign images and attest SBOM and provenance in cosign's format with this private key: a file, or env://VAR holding the PEM (password in HOIST_PASSWORD or COSIGN_PASSWORD)")
}

// supplyChain fills the SBOM and provenance settings. The CA bundle version
// comes from hoist's own build info: the bundle is compiled into hoist.
func (s *settings) supplyChain(opts *pipeline.Options, args []string) error {
	format, err := sbom.ParseFormat(s.v.GetString("sbom"))
	if err != nil {
		return err
	}
	opts.SBOM, opts.SBOMDir, opts.Provenance = format, s.v.GetString("sbom-dir"), s.v.GetBool("provenance")
	opts.Version = hoistVersion()
	if bi, ok := debug.ReadBuildInfo(); ok {
		opts.CAVersion = sbom.ModuleVersion(bi, sbom.CAModule)
	}
	opts.Args = redactArgs(args)
	return s.signer(opts)
}

// redactArgs keeps the command line for the provenance but drops the values
// of --env, which may carry secrets into a public document.
func redactArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--env":
			out = append(out, a, "<redacted>")
			i++
		case strings.HasPrefix(a, "--env="):
			out = append(out, "--env=<redacted>")
		default:
			out = append(out, a)
		}
	}
	return out
}
