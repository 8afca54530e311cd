package registry

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// remoteError is a registry failure said in one line that names the
// registry and what to do about it; the original error stays reachable
// through Unwrap for callers that test for causes.
type remoteError struct {
	msg string
	err error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.err }

// Describe rewords an error of a request to registry (host[:port]) made
// with these options in one line that names the registry and what to do,
// counting the retries they allowed; the original error stays reachable
// through errors.Unwrap. Callers wrap it with what they were doing.
func (o Options) Describe(err error, registry string) error {
	return describe(err, registry, o.retries())
}

// describe rewords ggcr's errors, which quote whole URLs, registry response
// bodies and, for a failed ping, two attempts joined together.
func describe(err error, registry string, retries int) error {
	var re *remoteError
	if err == nil || errors.As(err, &re) {
		return err
	}
	return &remoteError{msg: explain(err, registry, retries), err: err}
}

func explain(err error, registry string, retries int) string {
	gaveUp := ""
	var busy *transport.Error
	if retries > 0 && (retryable(err) || errors.As(err, &busy) && isBusy(busy.StatusCode)) {
		gaveUp = fmt.Sprintf(", gave up after %d retries", retries)
		if retries == 1 {
			gaveUp = ", gave up after 1 retry"
		}
	}
	var (
		refused   *Error
		unknownCA x509.UnknownAuthorityError
		badHost   x509.HostnameError
		timeout   *timeoutError
		status    *transport.Error
	)
	switch {
	case errors.As(err, &refused):
		return refused.Error()
	case errors.As(err, &unknownCA):
		return registry + ": TLS certificate signed by an unknown authority: trust its CA with --ca-cert FILE (or SSL_CERT_FILE); only --insecure skips verification"
	case errors.As(err, &badHost):
		return fmt.Sprintf("%s: TLS certificate is not valid for %s: %s", registry, badHost.Host, oneLine(badHost.Error()))
	case errors.As(err, &timeout) && timeout.body:
		return timeout.Error()
	case errors.As(err, &timeout):
		return timeout.Error() + gaveUp
	case errors.As(err, &status):
		return explainStatus(status, registry) + gaveUp
	case errors.Is(err, syscall.ECONNREFUSED):
		return registry + ": connection refused: check the address and that the registry is running"
	case errors.Is(err, syscall.ECONNRESET):
		return registry + ": connection reset" + gaveUp
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return registry + ": connection closed before the registry answered" + gaveUp
	}
	return oneLine(err.Error())
}

func explainStatus(e *transport.Error, registry string) string {
	code := e.StatusCode
	switch {
	case code == http.StatusUnauthorized || hasCode(e, transport.UnauthorizedErrorCode):
		return fmt.Sprintf("%s: 401 unauthorized: check the credentials for %s (hoist login %s)", registry, registry, registry)
	case code == http.StatusForbidden || hasCode(e, transport.DeniedErrorCode):
		return fmt.Sprintf("%s: 403 denied: the credentials for %s lack access to this repository", registry, registry)
	}
	msg := fmt.Sprintf("%s: %d %s", registry, code, http.StatusText(code))
	if e.Request != nil {
		msg += fmt.Sprintf(" on %s %s", e.Request.Method, e.Request.URL.Path)
	}
	var diags []string
	for _, d := range e.Errors {
		diags = append(diags, d.String())
	}
	if len(diags) > 0 {
		msg += ": " + oneLine(strings.Join(diags, "; "))
	}
	return msg
}

func hasCode(e *transport.Error, code transport.ErrorCode) bool {
	for _, d := range e.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// oneLine folds a multi-line message, such as a quoted response body, so the
// command's error stays one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
