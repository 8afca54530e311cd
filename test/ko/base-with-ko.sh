#!/usr/bin/env bash
# Proves that `hoist base` publishes a base ko can build on: pushes hoist's
# distroless base (an index of two platforms) to a throwaway local registry,
# runs `ko build` for both platforms with it as the default base, and checks
# that each of ko's images starts with the base's layers for its platform and
# keeps the base's user and environment.
#
# Needs: go, docker-registry (Debian: apt-get install -y docker-registry),
# curl, jq. Not part of the unit tests (it installs ko); run it by hand:
#   bash test/ko/base-with-ko.sh
# Set KO_BIN / CRANE_BIN to reuse installed binaries.
set -euo pipefail

KO_VERSION=v0.19.1
CRANE_VERSION=v0.22.1 # the go-containerregistry version in go.mod
PLATFORMS=linux/amd64,linux/arm64

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

for tool in go docker-registry curl jq; do
	if ! command -v "$tool" >/dev/null; then
		echo "base-with-ko: $tool not found" >&2
		exit 1
	fi
done

work=$(mktemp -d)
reg_pid=""
cleanup() {
	if [ -n "$reg_pid" ]; then
		kill "$reg_pid" 2>/dev/null || true
		wait "$reg_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=""
for _ in $(seq 50); do
	p=$((20000 + RANDOM % 20000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || { echo "base-with-ko: no free port found" >&2; exit 1; }
reg=127.0.0.1:$port

echo "== registry on $reg" >&2
cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $reg
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do
	curl -fsS "http://$reg/v2/" >/dev/null 2>&1 && break
	if ! kill -0 "$reg_pid" 2>/dev/null; then
		cat "$work/registry.log" >&2
		echo "base-with-ko: registry exited" >&2
		exit 1
	fi
	sleep 0.1
done
curl -fsS "http://$reg/v2/" >/dev/null

echo "== tools" >&2
mkdir -p "$work/bin"
ko=${KO_BIN:-}
if [ -z "$ko" ]; then
	GOBIN="$work/bin" go install "github.com/google/ko@$KO_VERSION"
	ko=$work/bin/ko
fi
crane=${CRANE_BIN:-}
if [ -z "$crane" ]; then
	GOBIN="$work/bin" go install "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION"
	crane=$work/bin/crane
fi
go build -o "$work/hoist" ./cmd/hoist

echo "== hoist base --platform $PLATFORMS" >&2
base=$("$work/hoist" base --repo "$reg/base" --bare --platform "$PLATFORMS")
echo "hoist pushed: $base" >&2

echo "== ko build --platform $PLATFORMS ./app" >&2
unset KO_CONFIG_PATH
ref=$(KO_DOCKER_REPO="$reg/ko" KO_DEFAULTBASEIMAGE="$reg/base:latest" \
	"$ko" build --insecure-registry --base-import-paths --platform "$PLATFORMS" ./app)
echo "ko pushed: $ref" >&2

fail() { echo "base-with-ko: FAIL: $*" >&2; exit 1; }

for platform in ${PLATFORMS//,/ }; do
	base_layers=$("$crane" --insecure manifest --platform "$platform" "$base" | jq -c '[.layers[].digest]')
	ko_layers=$("$crane" --insecure manifest --platform "$platform" "$ref" | jq -c '[.layers[].digest]')
	n=$(jq length <<<"$base_layers")
	[ "$n" -eq 3 ] || fail "$platform: the base has $n layers, want 3"
	jq -e --argjson base "$base_layers" '.[:3] == $base and length > 3' <<<"$ko_layers" >/dev/null ||
		fail "$platform: ko's layers $ko_layers do not start with the base's $base_layers"
	config=$("$crane" --insecure config --platform "$platform" "$ref")
	jq -e '.config.User == "65532:65532"' <<<"$config" >/dev/null ||
		fail "$platform: user is $(jq -c .config.User <<<"$config"), want the base's 65532:65532"
	jq -e '.config.Env | index("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")' <<<"$config" >/dev/null ||
		fail "$platform: env $(jq -c .config.Env <<<"$config") lacks the base's SSL_CERT_FILE"
	jq -e --arg p "$platform" '(.os + "/" + .architecture) == $p' <<<"$config" >/dev/null ||
		fail "$platform: config is $(jq -r '.os + "/" + .architecture' <<<"$config")"
	echo "$platform: ko's image starts with the base's 3 layers, user 65532:65532" >&2
done

echo "OK: ko built $ref on hoist's base $base" >&2
echo "$ref"
