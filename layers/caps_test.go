package layers

import (
	"encoding/hex"
	"testing"
)

// TestFileCapability checks ko's term grammar; the byte values are those
// ko v0.19.1's caps.NewFileCaps(...).ToXattrBytes() gives for each input.
func TestFileCapability(t *testing.T) {
	tests := []struct {
		terms []string
		want  string // hex; "" for none
		err   bool
	}{
		{[]string{"cap_net_bind_service+ep"}, "0100000200040000000000000000000000000000", false},
		{[]string{"net_bind_service"}, "0000000200040000000000000000000000000000", false},
		{[]string{"CAP_NET_BIND_SERVICE"}, "0000000200040000000000000000000000000000", false},
		{[]string{"chown", "10"}, "0000000201040000000000000000000000000000", false},
		{[]string{"chown,net_bind_service=ep"}, "0100000201040000000000000000000000000000", false},
		{[]string{"bpf+ip"}, "0000000200000000000000008000000080000000", false},
		{[]string{"chown", "chown-p"}, "", false},
		{nil, "", false},
		{[]string{"net_bind"}, "", true},
		{[]string{"chown+x"}, "", true},
	}
	for _, tt := range tests {
		got, err := FileCapability(tt.terms)
		if (err != nil) != tt.err {
			t.Errorf("%q: err %v, want error %v", tt.terms, err, tt.err)
			continue
		}
		if hex.EncodeToString([]byte(got)) != tt.want {
			t.Errorf("%q = %x, want %s", tt.terms, got, tt.want)
		}
	}
	if FileCapabilityOrDie(t, "cap_net_bind_service+ep") != DefaultCapability() {
		t.Error("cap_net_bind_service+ep differs from hoist's default")
	}
}

func FileCapabilityOrDie(t *testing.T, term string) string {
	t.Helper()
	s, err := FileCapability([]string{term})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
