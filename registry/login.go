package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// CheckLogin proves that user and password open the registry, so that a
// typo is refused before it is saved: it runs the registry's auth handshake
// (which for token registries already checks them) and then asks for the
// API root, which a basic-auth registry refuses to a wrong password.
func CheckLogin(ctx context.Context, registry, user, password string, opts Options) error {
	reg, err := name.NewRegistry(registry, opts.NameOptions(registry)...)
	if err != nil {
		return fmt.Errorf("invalid registry %q: want HOST[:PORT]", registry)
	}
	host := reg.RegistryStr()
	rt, err := opts.roundTripper()
	if err != nil {
		return err
	}
	rt = transport.NewRetry(rt,
		transport.WithRetryBackoff(backoff(opts.retries(), opts.RetryDelay)),
		transport.WithRetryStatusCodes(retryStatusCodes...),
		transport.WithRetryPredicate(retryPredicate(opts.logger(), host, opts.retries())))
	auth := &authn.Basic{Username: user, Password: password}
	tr, err := transport.NewWithContext(ctx, reg, auth, rt, []string{reg.Scope(transport.PullScope)})
	if err != nil {
		return fmt.Errorf("logging in to %s: %w", host, describeLogin(err, host, user, opts.retries()))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, reg.Scheme()+"://"+host+"/v2/", nil)
	if err != nil {
		return fmt.Errorf("logging in to %s: %w", host, err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return fmt.Errorf("logging in to %s: %w", host, describeLogin(err, host, user, opts.retries()))
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		return fmt.Errorf("logging in to %s: %w", host, describeLogin(err, host, user, opts.retries()))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return nil
}

// describeLogin words a refusal for the login itself, where "run hoist
// login" would be no advice at all.
func describeLogin(err error, host, user string, retries int) error {
	var status *transport.Error
	if errors.As(err, &status) && status.StatusCode == http.StatusUnauthorized {
		return &remoteError{msg: fmt.Sprintf("401 unauthorized: %s refused the password for user %s", host, user), err: err}
	}
	return describe(err, host, retries)
}
