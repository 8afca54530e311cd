package registrytest

import (
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// writeHtpasswd writes bcrypt entries, the only kind Distribution accepts,
// at the lowest cost: the tests check the protocol, not the hash strength.
func writeHtpasswd(t testing.TB, users map[string]string) string {
	t.Helper()
	var lines []string
	for user, pass := range users {
		hash, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, user+":"+string(hash))
	}
	sort.Strings(lines)
	path := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
