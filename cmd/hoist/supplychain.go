package main

import (
	"fmt"

	"github.com/hoist-build/hoist/sbom"
	"github.com/hoist-build/hoist/sign"
)

// supplyChainSettings say what documents go with the images: the supply
// chain group.
type supplyChainSettings struct {
	sbom       sbom.Format
	sbomDir    string
	provenance bool
	// signer, from --sign-key (HOIST_SIGN_KEY), signs pushed images.
	signer sign.Signer
}

func (s *settings) loadSupplyChain(r reader) error {
	sc := &s.supply
	var err error
	if sc.sbom, err = sbom.ParseFormat(r.v.GetString("sbom")); err != nil {
		return err
	}
	sc.sbomDir, sc.provenance = r.v.GetString("sbom-dir"), r.v.GetBool("provenance")
	ref := r.v.GetString("sign-key")
	if ref == "" {
		return nil
	}
	// Signatures are attached in the registry, so a file destination is
	// refused before anything is built.
	if !s.dest.registryOnly() {
		return fmt.Errorf("--sign-key signs images in a registry: set --repo; for an OCI layout or tarball, push it first and then run `hoist sign --key KEY IMAGE@DIGEST`")
	}
	sc.signer, err = loadSigner("--sign-key", ref)
	return err
}
