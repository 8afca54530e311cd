package sign

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/hoist-build/hoist/registry"
)

// Manifest is one pushed manifest to sign, and the in-toto statements to
// attest about it; each statement must name Ref's digest as a subject.
type Manifest struct {
	Ref        name.Digest
	Statements [][]byte
}

// Options says who signs and how to reach the registry.
type Options struct {
	Signer Signer
	Remote registry.Options
	Logger *slog.Logger
}

// Publish signs every manifest and attaches its statements as signed
// attestations, in cosign's tags. What is already there under the same
// key (a rerun of the same build) is not added again. Manifests go in
// parallel; each one's signature image and attestation image are written
// one after the other, one layer at a time, since each write rewrites a tag.
func Publish(ctx context.Context, opts Options, ms []Manifest) error {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Signer == nil {
		return fmt.Errorf("signing: no signer")
	}
	var g errgroup.Group
	g.SetLimit(4)
	for _, m := range ms {
		for _, st := range m.Statements {
			var h statementHeader
			if err := json.Unmarshal(st, &h); err != nil {
				return fmt.Errorf("attesting %s: decoding statement: %w", m.Ref, err)
			}
			if !h.covers(digestOf(m.Ref)) {
				return fmt.Errorf("attesting %s: the %s statement is not about this digest", m.Ref, h.PredicateType)
			}
		}
		g.Go(func() error { return publishOne(ctx, opts, m) })
	}
	return g.Wait()
}

func publishOne(ctx context.Context, opts Options, m Manifest) error {
	ropts, err := opts.Remote.RemoteOptions(ctx, m.Ref.Context().RegistryStr())
	if err != nil {
		return err
	}
	wrote, err := signOne(ctx, opts.Signer, m.Ref, ropts)
	if err != nil {
		return fmt.Errorf("signing %s: %w", m.Ref, err)
	}
	opts.Logger.Info("signed", "image", m.Ref.String(), "tag", tagFor(m.Ref.Context(), digestOf(m.Ref), sigSuffix).TagStr(), "new", wrote)
	for _, st := range m.Statements {
		wrote, err := attestOne(ctx, opts.Signer, m.Ref, st, ropts)
		if err != nil {
			return fmt.Errorf("attesting %s: %w", m.Ref, err)
		}
		var h statementHeader
		_ = json.Unmarshal(st, &h) // checked by Publish
		opts.Logger.Info("attested", "image", m.Ref.String(), "predicate", h.PredicateType, "new", wrote)
	}
	return nil
}

// signOne adds a signature of ref's digest to its .sig image.
func signOne(ctx context.Context, s Signer, ref name.Digest, ropts []remote.Option) (bool, error) {
	payload, err := simpleSigningPayload(ref)
	if err != nil {
		return false, err
	}
	pub := s.Public()
	have := func(l stored) bool {
		sig, err := base64.StdEncoding.DecodeString(l.annotations[signatureAnnotation])
		return err == nil && samePayload(l, SimpleSigningMediaType, payload) && verifySignature(pub, payload, sig) == nil
	}
	build := func() (Layer, map[string]string, error) {
		sig, err := s.Sign(ctx, payload)
		if err != nil {
			return Layer{}, nil, err
		}
		l := Layer{MediaType: SimpleSigningMediaType, Payload: payload, Signature: base64.StdEncoding.EncodeToString(sig)}
		ann, err := annotate(ctx, s, l, map[string]string{signatureAnnotation: l.Signature})
		return l, ann, err
	}
	return appendLayer(tagFor(ref.Context(), digestOf(ref), sigSuffix), have, build, ropts)
}

// attestOne adds statement, signed, to ref's .att image.
func attestOne(ctx context.Context, s Signer, ref name.Digest, statement []byte, ropts []remote.Option) (bool, error) {
	var h statementHeader
	if err := json.Unmarshal(statement, &h); err != nil {
		return false, fmt.Errorf("decoding statement: %w", err)
	}
	pub := s.Public()
	have := func(l stored) bool {
		if string(l.mediaType) != DSSEMediaType {
			return false
		}
		_, body, err := openEnvelope(l.payload, pub)
		return err == nil && bytes.Equal(body, statement)
	}
	build := func() (Layer, map[string]string, error) {
		env, err := envelope(ctx, s, statement)
		if err != nil {
			return Layer{}, nil, err
		}
		l := Layer{MediaType: DSSEMediaType, Payload: env}
		// cosign gives attestation layers an empty signature annotation.
		ann, err := annotate(ctx, s, l, map[string]string{signatureAnnotation: "", predicateTypeAnnotation: h.PredicateType})
		return l, ann, err
	}
	return appendLayer(tagFor(ref.Context(), digestOf(ref), attSuffix), have, build, ropts)
}

// annotate merges the signer's annotations into base; base wins.
func annotate(ctx context.Context, s Signer, l Layer, base map[string]string) (map[string]string, error) {
	extra, err := s.Annotations(ctx, l)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	maps.Copy(out, extra)
	maps.Copy(out, base)
	return out, nil
}

// digestOf is ref's digest; name.Digest has checked its form.
func digestOf(ref name.Digest) v1.Hash {
	h, _ := v1.NewHash(ref.DigestStr())
	return h
}
