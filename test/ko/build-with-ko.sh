#!/usr/bin/env bash
# Proves that .ko.yaml works for ko itself, not only for hoist: builds app/
# with ko v0.19.1 against a throwaway local registry and checks that the
# pushed image's binary came from the .ko.yaml builds entry "app".
#
# Needs: go, docker-registry (Debian: apt-get install -y docker-registry),
# curl, jq. Not part of the unit tests; run it by hand:
#   bash test/ko/build-with-ko.sh
# The first run installs ko and crane into a temporary GOBIN, which takes a
# few minutes; set KO_BIN / CRANE_BIN to reuse installed binaries.
set -euo pipefail

KO_VERSION=v0.19.1
CRANE_VERSION=v0.22.1 # the go-containerregistry version in go.mod

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

for tool in go docker-registry curl jq; do
	if ! command -v "$tool" >/dev/null; then
		hint=""
		[ "$tool" = docker-registry ] && hint=" (Debian: apt-get install -y docker-registry)"
		echo "build-with-ko: $tool not found$hint" >&2
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

# A free loopback port: nothing answers a connect on it.
port=""
for _ in $(seq 50); do
	p=$((20000 + RANDOM % 20000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || { echo "build-with-ko: no free port found" >&2; exit 1; }
reg=127.0.0.1:$port

echo "== registry on $reg" >&2
cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/registry
  delete:
    enabled: true
http:
  addr: $reg
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do
	curl -fsS "http://$reg/v2/" >/dev/null 2>&1 && break
	if ! kill -0 "$reg_pid" 2>/dev/null; then
		cat "$work/registry.log" >&2
		echo "build-with-ko: registry exited" >&2
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
"$ko" version >&2
go build -o "$work/hoist" ./cmd/hoist

# ko's default base (cgr.dev/chainguard/static) is out of reach offline, so
# push hoist's synthesized distroless base instead. It is built from a tiny
# module of its own, so the base holds no /ko-app/app that could be mistaken
# for ko's output.
echo "== base image $reg/base:latest (hoist's distroless)" >&2
mkdir -p "$work/base"
printf 'module example.com/base\n\ngo 1.22\n' >"$work/base/go.mod"
printf 'package main\n\nfunc main() {}\n' >"$work/base/main.go"
(cd "$work/base" && GOWORK=off "$work/hoist" build --repo "$reg/base" --bare . >&2)

echo "== ko build ./app" >&2
unset KO_CONFIG_PATH # read ./.ko.yaml
fail() { echo "build-with-ko: FAIL: $*" >&2; exit 1; }

ref=$(KO_DOCKER_REPO="$reg/ko" KO_DEFAULTBASEIMAGE="$reg/base:latest" \
	"$ko" build --insecure-registry --base-import-paths ./app 2>"$work/ko.log") ||
	{ cat "$work/ko.log" >&2; fail "ko build failed"; }
cat "$work/ko.log" >&2
echo "ko pushed: $ref" >&2

grep -q "Using build config app for github.com/hoist-build/hoist/app" "$work/ko.log" ||
	fail "ko did not use the .ko.yaml builds entry \"app\""

config=$("$crane" --insecure config "$ref")
jq -e '.config.Entrypoint == ["/ko-app/app"]' <<<"$config" >/dev/null ||
	fail "entrypoint is $(jq -c .config.Entrypoint <<<"$config"), want [\"/ko-app/app\"]"
jq -e '.config.User == "65532:65532"' <<<"$config" >/dev/null ||
	fail "user is $(jq -c .config.User <<<"$config"), want the base's 65532:65532"
echo "entrypoint $(jq -c .config.Entrypoint <<<"$config"), user $(jq -c .config.User <<<"$config")" >&2

# ko's layers sit on top of the base's; unpack them to find the binary.
nbase=$("$crane" --insecure manifest "$reg/base:latest" | jq '.layers | length')
mkdir -p "$work/layers"
for digest in $("$crane" --insecure manifest "$ref" | jq -r ".layers[$nbase:][].digest"); do
	# ko writes absolute member names; keep tar's note about them quiet.
	"$crane" --insecure blob "${ref%@*}@$digest" | tar -xzf - -C "$work/layers" 2>"$work/tar.log" ||
		{ cat "$work/tar.log" >&2; fail "unpacking layer $digest"; }
done
bin=$work/layers/ko-app/app
[ -f "$bin" ] || fail "no /ko-app/app in ko's layers"

info=$(go version -m "$bin")
echo "$info" >&2
grep -qP '^\tpath\tgithub.com/hoist-build/hoist/app$' <<<"$info" || fail "binary is not github.com/hoist-build/hoist/app"
grep -qP '^\tbuild\tCGO_ENABLED=0$' <<<"$info" || fail "binary was not built with CGO_ENABLED=0"
grep -qP '^\tbuild\t-trimpath=true$' <<<"$info" || fail "binary was not built with -trimpath"
# go omits -ldflags from the build info under -trimpath, so check its effect:
# "-s -w" strips the symbol table, which ko does not do by default.
if go tool nm "$bin" >/dev/null 2>&1; then
	fail "binary has a symbol table: ldflags \"-s -w\" from .ko.yaml were not applied"
fi
echo "binary is stripped (ldflags -s -w)" >&2

echo "OK: ko built $ref from .ko.yaml build \"app\"" >&2
echo "$ref"
