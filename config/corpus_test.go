package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusWarnings is what each real .ko.yaml in testdata/kocorpus holds that
// ko v0.19.1 ignores: hoist must read every file and name exactly these.
var corpusWarnings = map[string][]string{
	"0robustus1-config-reloader-sidecar.yaml": {`2: unknown key "platforms"`},
	"azure-karpenter-provider-azure.yaml":     {`2: unknown key "buildPlatforms"`},
	"dynatrace-configuration-as-code.yaml":    {`5: unknown key "defaultAppDirectory"`},
	"ko-test-deny.yaml":                       {`4: unknown key "verification"`},
	"ko-testdata-binary-overrides.yaml":       {`2: unknown key "binaryFolder"`, `3: unknown key "binaryPath"`},
	"ko-testdata-config.yaml":                 {`3: unknown key "env"`},
	"mizuchilabs-mantrae.yaml":                {`11: unknown key "defaultLabels"`},
	"nvidia-nvsentinel.yaml": {`3: unknown key "platforms"`, `5: unknown key "ldflags"`, `9: unknown key "env"`,
		`34: unknown key "builds[5].baseImage"`, `47: unknown key "labels"`},
}

// TestCorpusLoads reads every corpus file; the e2e test TestKoCorpus then
// builds each with ko and hoist and compares the binaries.
func TestCorpusLoads(t *testing.T) {
	files, err := filepath.Glob("testdata/kocorpus/*.yaml")
	if err != nil || len(files) < 25 {
		t.Fatalf("corpus: %d files (%v), want at least 25", len(files), err)
	}
	sources, err := os.ReadFile("testdata/kocorpus/SOURCES")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if !strings.Contains(string(sources), "\n"+name+"\t") {
			t.Errorf("%s is not listed in SOURCES", name)
		}
		ko, err := LoadKo(f)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var got []string
		for _, w := range ko.Warnings {
			got = append(got, strings.TrimSuffix(strings.TrimPrefix(w, f+":"), " ignored (ko ignores it too)"))
		}
		if want := corpusWarnings[name]; !slices.Equal(got, want) {
			t.Errorf("%s: warnings %q, want %q", name, got, want)
		}
	}
}
