package build

import (
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

func TestParsePlatform(t *testing.T) {
	tests := []struct {
		in      string
		want    v1.Platform
		wantErr string
	}{
		{in: "linux/amd64", want: v1.Platform{OS: "linux", Architecture: "amd64"}},
		{in: "linux/arm/v7", want: v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
		{in: "linux/arm64/v8", want: v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{in: "windows/amd64", want: v1.Platform{OS: "windows", Architecture: "amd64"}},
		{in: "linux", wantErr: `invalid platform "linux": want os/arch[/variant]`},
		{in: "", wantErr: `invalid platform "": want os/arch[/variant]`},
		{in: "linux/", wantErr: `invalid platform "linux/": want os/arch[/variant]`},
		{in: "linux/arm/v7/x", wantErr: `invalid platform "linux/arm/v7/x": want os/arch[/variant]`},
		{in: "linux/sparc", wantErr: `unsupported platform "linux/sparc"`},
		{in: "darwin/arm", wantErr: `unsupported platform "darwin/arm"`},
		{in: "linux/arm/v8", wantErr: `variant "v8" of arm, want v5, v6 or v7`},
		{in: "linux/amd64/v5", wantErr: `variant "v5" of amd64`},
		{in: "linux/s390x/v1", wantErr: `want no variant`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePlatform(tt.in)
			if hoisttest.WantError(t, err, tt.wantErr) {
				return
			}
			if got.OS != tt.want.OS || got.Architecture != tt.want.Architecture || got.Variant != tt.want.Variant {
				t.Errorf("ParsePlatform(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlatformEnv(t *testing.T) {
	tests := []struct {
		platform v1.Platform
		want     []string
	}{
		{v1.Platform{}, []string{"GOOS=linux", "GOARCH=amd64"}},
		{v1.Platform{OS: "linux", Architecture: "arm64"}, []string{"GOOS=linux", "GOARCH=arm64"}},
		{v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}, []string{"GOOS=linux", "GOARCH=arm64"}},
		{v1.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}, []string{"GOOS=linux", "GOARCH=arm", "GOARM=6"}},
		{v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}, []string{"GOOS=linux", "GOARCH=arm", "GOARM=7"}},
		{v1.Platform{OS: "linux", Architecture: "arm"}, []string{"GOOS=linux", "GOARCH=arm"}},
		{v1.Platform{OS: "linux", Architecture: "amd64", Variant: "v3"}, []string{"GOOS=linux", "GOARCH=amd64", "GOAMD64=v3"}},
		{v1.Platform{OS: "windows", Architecture: "amd64", Variant: "v2"}, []string{"GOOS=windows", "GOARCH=amd64", "GOAMD64=v2"}},
	}
	for _, tt := range tests {
		p := normalizePlatform(tt.platform)
		t.Run(platformString(p), func(t *testing.T) {
			got, err := platformEnv(p)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("platformEnv(%+v) = %q, want %q", tt.platform, got, tt.want)
			}
		})
	}
}
