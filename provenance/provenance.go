package provenance

import (
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/hoist-build/hoist/internal/jsondoc"
)

// The identifiers a consumer (slsa-verifier, policy engines) keys on.
const (
	StatementType = "https://in-toto.io/Statement/v1"
	PredicateType = "https://slsa.dev/provenance/v1"
	MediaType     = "application/vnd.in-toto+json"
	// BuildType names the schema of hoist's externalParameters and
	// internalParameters below; bump it when their meaning changes.
	BuildType = "https://github.com/hoist-build/hoist/buildtypes/build/v1"
	// BuilderID identifies hoist as the builder; its version is in
	// builder.version, so policies can pin the id and still allow upgrades.
	BuilderID = "https://github.com/hoist-build/hoist"
)

// Subject is one artifact the statement is about.
type Subject struct {
	// Name is the image repository, e.g. "ghcr.io/acme/app".
	Name string
	// Digest is "sha256:<hex>".
	Digest string
}

// Material is an input of the build other than the source and Go modules,
// such as a pulled base image.
type Material struct {
	URI    string
	Digest map[string]string
}

// Input is everything the statement records.
type Input struct {
	// Subjects are the images built: for a multi-platform build, the index
	// and every platform image.
	Subjects []Subject
	// Source is the source repository URL and Commit its full commit hash;
	// either may be empty when unknown (not a git checkout).
	Source string
	Commit string
	// Args is the hoist command line as given. It is published with the
	// image, so callers must not pass secrets (e.g. --env values) in it.
	Args []string
	// BuildInfo maps each platform ("linux/amd64") to the embedded build
	// info of the binary built for it.
	BuildInfo map[string]*debug.BuildInfo
	// Materials are extra inputs, e.g. a pulled base image by digest.
	Materials []Material
	// HoistVersion is the version of hoist that built the images.
	HoistVersion string
	// StartedOn and FinishedOn bound the build; zero values are left out.
	// Pass SOURCE_DATE_EPOCH-derived times for byte-reproducible output.
	StartedOn, FinishedOn time.Time
}

type statement struct {
	Type          string     `json:"_type"`
	Subject       []resource `json:"subject"`
	PredicateType string     `json:"predicateType"`
	Predicate     predicate  `json:"predicate"`
}

// resource is the in-toto ResourceDescriptor, the fields hoist uses.
type resource struct {
	Name   string            `json:"name,omitempty"`
	URI    string            `json:"uri,omitempty"`
	Digest map[string]string `json:"digest,omitempty"`
}

type predicate struct {
	BuildDefinition buildDefinition `json:"buildDefinition"`
	RunDetails      runDetails      `json:"runDetails"`
}

type buildDefinition struct {
	BuildType            string             `json:"buildType"`
	ExternalParameters   externalParameters `json:"externalParameters"`
	InternalParameters   internalParameters `json:"internalParameters"`
	ResolvedDependencies []resource         `json:"resolvedDependencies,omitempty"`
}

// externalParameters are what the user controlled.
type externalParameters struct {
	Source    string   `json:"source,omitempty"`
	Revision  string   `json:"revision,omitempty"`
	Args      []string `json:"args"`
	Platforms []string `json:"platforms"`
}

// internalParameters are what hoist and the go command chose, per platform.
type internalParameters struct {
	GoVersion     string                       `json:"goVersion,omitempty"`
	BuildSettings map[string]map[string]string `json:"buildSettings,omitempty"`
}

type runDetails struct {
	Builder  builder   `json:"builder"`
	Metadata *metadata `json:"metadata,omitempty"`
}

type builder struct {
	ID      string            `json:"id"`
	Version map[string]string `json:"version,omitempty"`
}

type metadata struct {
	StartedOn  string `json:"startedOn,omitempty"`
	FinishedOn string `json:"finishedOn,omitempty"`
}

// Generate writes the in-toto statement with its SLSA v1 predicate.
func Generate(in Input) ([]byte, error) {
	subjects, err := subjectsOf(in.Subjects)
	if err != nil {
		return nil, err
	}
	platforms := make([]string, 0, len(in.BuildInfo))
	settings := map[string]map[string]string{}
	goVersions := map[string]bool{}
	for p, bi := range in.BuildInfo {
		if bi == nil {
			return nil, fmt.Errorf("generating provenance: no build info for %s", p)
		}
		platforms = append(platforms, p)
		settings[p] = buildSettings(bi)
		goVersions[firstField(bi.GoVersion)] = true
	}
	sort.Strings(platforms)
	goVersion := strings.Join(sortedKeys(goVersions), ",")
	args := in.Args
	if args == nil {
		args = []string{}
	}
	st := statement{
		Type: StatementType, Subject: subjects, PredicateType: PredicateType,
		Predicate: predicate{
			BuildDefinition: buildDefinition{
				BuildType:            BuildType,
				ExternalParameters:   externalParameters{Source: in.Source, Revision: in.Commit, Args: args, Platforms: platforms},
				InternalParameters:   internalParameters{GoVersion: goVersion, BuildSettings: settings},
				ResolvedDependencies: dependencies(in),
			},
			RunDetails: runDetails{
				Builder:  builder{ID: BuilderID, Version: versions(in.HoistVersion, goVersion)},
				Metadata: times(in.StartedOn, in.FinishedOn),
			},
		},
	}
	out, err := jsondoc.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encoding provenance: %w", err)
	}
	return out, nil
}

func subjectsOf(in []Subject) ([]resource, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("generating provenance: no subjects")
	}
	out := make([]resource, 0, len(in))
	for _, s := range in {
		hexDigest, ok := strings.CutPrefix(s.Digest, "sha256:")
		if !ok || len(hexDigest) != 64 || strings.Trim(hexDigest, "0123456789abcdef") != "" {
			return nil, fmt.Errorf("generating provenance: subject %s: invalid digest %q: want sha256:<64 lowercase hex digits>", s.Name, s.Digest)
		}
		out = append(out, resource{Name: s.Name, Digest: map[string]string{"sha256": hexDigest}})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Digest["sha256"] < out[j].Digest["sha256"]
	})
	return out, nil
}

func buildSettings(bi *debug.BuildInfo) map[string]string {
	out := map[string]string{}
	for _, s := range bi.Settings {
		out[s.Key] = s.Value
	}
	return out
}

func versions(hoist, goVersion string) map[string]string {
	v := map[string]string{}
	if hoist != "" {
		v["hoist"] = hoist
	}
	if goVersion != "" {
		v["go"] = goVersion
	}
	if len(v) == 0 {
		return nil
	}
	return v
}

func times(start, finish time.Time) *metadata {
	if start.IsZero() && finish.IsZero() {
		return nil
	}
	m := &metadata{}
	if !start.IsZero() {
		m.StartedOn = start.UTC().Format(time.RFC3339)
	}
	if !finish.IsZero() {
		m.FinishedOn = finish.UTC().Format(time.RFC3339)
	}
	return m
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
