package provenance_test

import (
	"bytes"
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/provenance"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

var (
	indexDigest = "sha256:" + strings.Repeat("1a", 32)
	amd64Digest = "sha256:" + strings.Repeat("2b", 32)
	arm64Digest = "sha256:" + strings.Repeat("3c", 32)
)

func binary(arch string) *debug.BuildInfo {
	return hoisttest.BuildInfo("go1.26.8", []*debug.Module{
		{Path: "golang.org/x/sync", Version: "v0.25.0", Sum: "h1:Khu2En+0gcYPZ2kuIihfswbzxv/mIHXgzPZ018Oty48="},
		{Path: "golang.org/x/sys", Version: "v0.48.0"},
	}, debug.BuildSetting{Key: "GOARCH", Value: arch}, debug.BuildSetting{Key: "-trimpath", Value: "true"})
}

func input() provenance.Input {
	return provenance.Input{
		Subjects: []provenance.Subject{
			{Name: "ghcr.io/acme/api", Digest: arm64Digest},
			{Name: "ghcr.io/acme/api", Digest: indexDigest},
			{Name: "ghcr.io/acme/api", Digest: amd64Digest},
		},
		Source: "https://github.com/acme/shop", Commit: strings.Repeat("c0ffee", 6) + "beef",
		Args:         []string{"hoist", "build", "--platform", "linux/amd64,linux/arm64", "./cmd/api"},
		BuildInfo:    map[string]*debug.BuildInfo{"linux/arm64": binary("arm64"), "linux/amd64": binary("amd64")},
		Materials:    []provenance.Material{{URI: "pkg:oci/static?repository_url=cgr.dev/chainguard/static", Digest: map[string]string{"sha256": strings.Repeat("4d", 32)}}},
		HoistVersion: "v1.2.3",
		StartedOn:    time.Unix(1700000000, 0), FinishedOn: time.Unix(1700000042, 0),
	}
}

// statement mirrors the fields the SLSA v1 and in-toto v1 specs require.
type statement struct {
	Type    string `json:"_type"`
	Subject []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	PredicateType string `json:"predicateType"`
	Predicate     struct {
		BuildDefinition struct {
			BuildType          string `json:"buildType"`
			ExternalParameters struct {
				Source    string   `json:"source"`
				Revision  string   `json:"revision"`
				Args      []string `json:"args"`
				Platforms []string `json:"platforms"`
			} `json:"externalParameters"`
			InternalParameters struct {
				GoVersion     string                       `json:"goVersion"`
				BuildSettings map[string]map[string]string `json:"buildSettings"`
			} `json:"internalParameters"`
			ResolvedDependencies []struct {
				Name   string            `json:"name"`
				URI    string            `json:"uri"`
				Digest map[string]string `json:"digest"`
			} `json:"resolvedDependencies"`
		} `json:"buildDefinition"`
		RunDetails struct {
			Builder struct {
				ID      string            `json:"id"`
				Version map[string]string `json:"version"`
			} `json:"builder"`
			Metadata struct {
				StartedOn  string `json:"startedOn"`
				FinishedOn string `json:"finishedOn"`
			} `json:"metadata"`
		} `json:"runDetails"`
	} `json:"predicate"`
}

func TestGenerate(t *testing.T) {
	out, err := provenance.Generate(input())
	if err != nil {
		t.Fatal(err)
	}
	var st statement
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		t.Fatalf("decoding: %v\n%s", err, out)
	}
	bd, rd := st.Predicate.BuildDefinition, st.Predicate.RunDetails
	checks := []struct {
		what      string
		got, want any
	}{
		{"_type", st.Type, "https://in-toto.io/Statement/v1"},
		{"predicateType", st.PredicateType, "https://slsa.dev/provenance/v1"},
		{"subjects", len(st.Subject), 3},
		{"first subject", st.Subject[0].Digest["sha256"], strings.Repeat("1a", 32)},
		{"buildType", bd.BuildType, provenance.BuildType},
		{"source", bd.ExternalParameters.Source, "https://github.com/acme/shop"},
		{"args", strings.Join(bd.ExternalParameters.Args, " "), "hoist build --platform linux/amd64,linux/arm64 ./cmd/api"},
		{"platforms", strings.Join(bd.ExternalParameters.Platforms, ","), "linux/amd64,linux/arm64"},
		{"go version", bd.InternalParameters.GoVersion, "go1.26.8"},
		{"arm64 GOARCH", bd.InternalParameters.BuildSettings["linux/arm64"]["GOARCH"], "arm64"},
		{"builder", rd.Builder.ID, "https://github.com/hoist-build/hoist"},
		{"hoist version", rd.Builder.Version["hoist"], "v1.2.3"},
		{"go in builder", rd.Builder.Version["go"], "go1.26.8"},
		{"startedOn", rd.Metadata.StartedOn, "2023-11-14T22:13:20Z"},
		{"finishedOn", rd.Metadata.FinishedOn, "2023-11-14T22:14:02Z"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	deps := map[string]map[string]string{}
	for _, d := range bd.ResolvedDependencies {
		deps[d.URI] = d.Digest
	}
	if deps["git+https://github.com/acme/shop"]["gitCommit"] != input().Commit {
		t.Errorf("source dependency = %v, want the commit as gitCommit", deps["git+https://github.com/acme/shop"])
	}
	// The in-toto spec's own dirHash example, from the h1 sum above.
	if deps["pkg:golang/golang.org/x/sync@v0.25.0"]["dirHash"] != "2a1bb6127fb481c60f67692e22285fb306f3c6ffe62075e0ccf674d7c3adcb8f" {
		t.Errorf("x/sync dependency = %v, want its h1 sum as dirHash", deps["pkg:golang/golang.org/x/sync@v0.25.0"])
	}
	if _, ok := deps["pkg:golang/golang.org/x/sys@v0.48.0"]; !ok || len(bd.ResolvedDependencies) != 4 {
		t.Errorf("resolvedDependencies = %v, want source, base, x/sync, x/sys once each", deps)
	}
}

// TestDeterministic: map iteration and subject order must not leak into
// the bytes, or rebuilding would attach a second, different provenance.
func TestDeterministic(t *testing.T) {
	first, err := provenance.Generate(input())
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		in := input()
		in.Subjects[0], in.Subjects[2] = in.Subjects[2], in.Subjects[0]
		again, err := provenance.Generate(in)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("same input, different bytes:\n%s\n---\n%s", first, again)
		}
	}
}

func TestGenerateOptionalFields(t *testing.T) {
	in := provenance.Input{Subjects: []provenance.Subject{{Name: "app", Digest: amd64Digest}}}
	out, err := provenance.Generate(in)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	rd := m["predicate"].(map[string]any)["runDetails"].(map[string]any)
	if _, ok := rd["metadata"]; ok {
		t.Errorf("metadata present without times: %v", rd["metadata"])
	}
	ext := m["predicate"].(map[string]any)["buildDefinition"].(map[string]any)["externalParameters"].(map[string]any)
	if ext["args"] == nil || ext["platforms"] == nil {
		t.Errorf("externalParameters %v: args and platforms must be lists, not null", ext)
	}
}

func TestGenerateInvalid(t *testing.T) {
	cases := []struct {
		name string
		edit func(*provenance.Input)
		want string
	}{
		{"no subjects", func(in *provenance.Input) { in.Subjects = nil }, "no subjects"},
		{"bad digest", func(in *provenance.Input) { in.Subjects[0].Digest = "sha512:ab" }, "invalid digest"},
		{"nil build info", func(in *provenance.Input) { in.BuildInfo["linux/amd64"] = nil }, "no build info for linux/amd64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := input()
			tc.edit(&in)
			if _, err := provenance.Generate(in); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	out, err := provenance.Generate(input())
	if err != nil {
		t.Fatal(err)
	}
	p, err := provenance.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if p.PredicateType != provenance.PredicateType || p.BuilderID != provenance.BuilderID || p.BuildType != provenance.BuildType {
		t.Errorf("Parse = %+v", p)
	}
	for _, d := range []string{indexDigest, amd64Digest, arm64Digest} {
		if !p.Covers(d) {
			t.Errorf("statement does not cover %s", d)
		}
	}
	if p.Covers("sha256:" + strings.Repeat("00", 32)) {
		t.Error("statement covers a digest it does not name")
	}
	cases := map[string]string{
		"not JSON":     "{",
		"wrong _type":  `{"_type":"https://in-toto.io/Statement/v0.1","subject":[]}`,
		"DSSE wrapped": `{"payloadType":"application/vnd.in-toto+json","payload":"e30="}`,
	}
	for name, doc := range cases {
		if _, err := provenance.Parse([]byte(doc)); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}
