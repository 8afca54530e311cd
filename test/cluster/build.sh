#!/usr/bin/env bash
# Builds Kubernetes binaries from the Go module proxy (no release download is
# reachable here) into a cache outside the repo, and reuses what is there:
#   test/cluster/build.sh [kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl]
#   test/cluster/build.sh --bin-dir     # only print where the binaries go
# Prints the bin directory on stdout; tests find the binaries through it. A cold build of all five takes ~25 min on
# 2 cores; kube-apiserver alone is what the API-level test needs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=v1.34.4
bin=${HOIST_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hoist-k8s}/$version/bin
if [ "${1:-}" = --bin-dir ]; then echo "$bin"; exit 0; fi
all=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)
[ $# -gt 0 ] || set -- "${all[@]}"

mkdir -p "$bin"
missing=()
for c in "$@"; do
  case " ${all[*]} " in *" $c "*) ;; *) echo "build.sh: unknown component $c" >&2; exit 2 ;; esac
  [ -x "$bin/$c" ] || missing+=("$c")
done

if [ ${#missing[@]} -gt 0 ]; then
  # The version stamps matter: the kubelet and kubectl compare them with the
  # apiserver's, and an unstamped build reports v0.0.0.
  pkg=k8s.io/component-base/version
  cpkg=k8s.io/client-go/pkg/version
  stamp="gitVersion=$version gitMajor=1 gitMinor=34 gitTreeState=clean buildDate=1970-01-01T00:00:00Z"
  ldflags="-s -w"
  for kv in $stamp; do ldflags+=" -X $pkg.$kv -X $cpkg.$kv"; done
  tmp=$(mktemp -d "$bin/.build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  start=$SECONDS
  for c in "${missing[@]}"; do
    echo "build.sh: building $c $version" >&2
    (cd "$here/kube" && CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "$ldflags" -o "$tmp/$c" "k8s.io/kubernetes/cmd/$c")
    mv "$tmp/$c" "$bin/$c"
  done
  echo "build.sh: built ${missing[*]} in $((SECONDS - start))s" >&2
fi
echo "$bin"
