package registry_test

import (
	"context"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/registry"
)

const (
	user     = registrytest.User
	password = registrytest.Password
)

func TestCheckLogin(t *testing.T) {
	srv := registrytest.Secure(t)
	cases := []struct {
		name, user, password string
		ca                   []byte
		want                 string
	}{
		{"right password", user, password, srv.CAPEM, ""},
		{"wrong password", user, "wrong", srv.CAPEM, "logging in to " + srv.Host + ": 401 unauthorized: " + srv.Host + " refused the password for user hoist"},
		{"unknown user", "mallory", password, srv.CAPEM, "401 unauthorized"},
		{"untrusted certificate", user, password, nil, "--ca-cert"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := registry.CheckLogin(context.Background(), srv.Host, tc.user, tc.password, registry.Options{CACertPEM: tc.ca})
			if hoisttest.WantErrorLine(t, err, tc.want) {
				t.Logf("error: %v", err)
			}
		})
	}
}
