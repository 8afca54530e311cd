package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func intPtr(i int) *int { return &i }

// writeConfig writes data to a fresh file and returns its path; data "-"
// means no file at all.
func writeConfig(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if data == "-" {
		return p
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkErr asserts err is a one-line error naming the file and containing
// every wanted fragment.
func checkErr(t *testing.T, err error, path string, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", want)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans several lines: %q", msg)
	}
	if !strings.Contains(msg, path) {
		t.Errorf("error %q does not name the file %s", msg, path)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not mention %q", msg, w)
		}
	}
}

// loadCase writes data to file and loads it with load; with wantErr set it
// checks the error and reports failed.
func loadCase[T any](t *testing.T, file, data string, load func(string) (T, error), wantErr []string) (got T, path string, failed bool) {
	t.Helper()
	path = writeConfig(t, file, data)
	got, err := load(path)
	if wantErr != nil {
		checkErr(t, err, path, wantErr)
		return got, path, true
	}
	if err != nil {
		t.Fatal(err)
	}
	return got, path, false
}

const fullHoist = `# every key
repo: ghcr.io/acme
bare: true
tag: [v1, latest]
platform:
  - linux/amd64
  - linux/arm64
port: 8080
user: "1000:1000"
base: cgr.dev/chainguard/static
label: [team=infra]
env: [GOMEMLIMIT=100MiB]
annotation: [a=b]
insecure: true
oci-layout: out/layout
tarball: out/img.tar
jobs: 4
compression: zstd
`

func TestLoadHoist(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    *Hoist
		wantErr []string
	}{
		{name: "missing file", data: "-", want: &Hoist{}},
		{name: "empty file", data: "", want: &Hoist{}},
		{name: "comments only", data: "# nothing\n", want: &Hoist{}},
		{name: "document marker only", data: "---\n", want: &Hoist{}},
		{name: "all keys", data: fullHoist, want: &Hoist{
			Repo: "ghcr.io/acme", Bare: true, Tag: []string{"v1", "latest"},
			Platform: []string{"linux/amd64", "linux/arm64"}, Port: intPtr(8080),
			User: "1000:1000", Base: "cgr.dev/chainguard/static", Label: []string{"team=infra"},
			Env: []string{"GOMEMLIMIT=100MiB"}, Annotation: []string{"a=b"}, Insecure: true,
			OCILayout: "out/layout", Tarball: "out/img.tar", Jobs: 4, Compression: "zstd",
		}},
		{name: "port zero is set, not absent", data: "port: 0\n", want: &Hoist{Port: intPtr(0)}},
		{name: "unknown key", data: "repo: x\n\nrepository: y\n", wantErr: []string{`unknown key "repository"`, "line 3"}},
		{name: "misspelled flag name", data: "ocilayout: out\n", wantErr: []string{`"ocilayout"`, "line 1"}},
		{name: "port not a number", data: "repo: x\nport: abc\n", wantErr: []string{"line 2", "abc", "want a number"}},
		// yaml.v3 does not turn a scalar into a one-element list: it is a
		// type error like any other.
		{name: "tag scalar where a list is wanted", data: "tag: latest\n", wantErr: []string{"line 1", "latest", "want a list"}},
		{name: "bool not a bool", data: "\n\nbare: maybe\n", wantErr: []string{"line 3", "maybe", "want true or false"}},
		{name: "list where a string is wanted", data: "repo: [a, b]\n", wantErr: []string{"line 1"}},
		{name: "mapping where a string is wanted", data: "user:\n  uid: 1\n", wantErr: []string{"line 2"}},
		{name: "syntax error", data: "repo: x\n  bad: : :\n", wantErr: []string{"line 2"}},
		{name: "tab indentation", data: "tag:\n\t- a\n", wantErr: []string{"line 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, failed := loadCase(t, ".hoist.yaml", tt.data, LoadHoist, tt.wantErr)
			if !failed && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LoadHoist = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	dir := t.TempDir() // a directory exists but cannot be read as a file
	if _, err := LoadHoist(dir); err == nil || !strings.Contains(err.Error(), "reading "+dir) {
		t.Errorf("LoadHoist(dir): error %v, want a reading error naming it", err)
	}
	if _, err := LoadKo(dir); err == nil || !strings.Contains(err.Error(), "reading "+dir) {
		t.Errorf("LoadKo(dir): error %v, want a reading error naming it", err)
	}
}
