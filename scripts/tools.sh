#!/usr/bin/env bash
# Installs the pinned real tools the tests use into .cache/tools (git-ignored), keyed by
# version so a second run is instant. Everything comes from the Go module proxy: no
# binary is downloaded from a release page.
#
#   scripts/tools.sh            install what is missing, print where everything is
#   scripts/tools.sh --print    print the paths only (exit 1 if something is missing)
#
# Needs: go (1.24 or later) and access to the Go module proxy.
set -euo pipefail

KUSTOMIZE_VERSION=v5.8.2       # sigs.k8s.io/kustomize/kustomize/v5 (v5.8.3 needs Go 1.27; the machines have 1.26)
ARGOCD_VERSION=v3.6.1          # github.com/argoproj/argo-cd/v3: Application, ApplicationSet, AppProject CRDs
FLUX_KUSTOMIZE_VERSION=v1.10.1 # github.com/fluxcd/kustomize-controller: Kustomization CRD
FLUX_SOURCE_VERSION=v1.10.1    # github.com/fluxcd/source-controller: GitRepository CRD

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/tools"
mode="${1:-install}"

kustomize_dir="$cache/kustomize-$KUSTOMIZE_VERSION"
argocd_dir="$cache/crds/argo-cd-$ARGOCD_VERSION"
flux_dir="$cache/crds/flux-kustomize-$FLUX_KUSTOMIZE_VERSION-source-$FLUX_SOURCE_VERSION"

missing=0
[ -x "$kustomize_dir/kustomize" ] || missing=1
[ -f "$argocd_dir/.complete" ] || missing=1
[ -f "$flux_dir/.complete" ] || missing=1

if [ "$mode" = "--print" ]; then
  echo "kustomize=$kustomize_dir/kustomize"
  echo "argocd_crds=$argocd_dir"
  echo "flux_crds=$flux_dir"
  exit "$missing"
fi

command -v go >/dev/null || { echo "scripts/tools.sh: go is not installed; install Go 1.26+ (https://go.dev/dl/ or your package manager)" >&2; exit 1; }
command -v unzip >/dev/null || { echo "scripts/tools.sh: unzip is not installed; install it (apt-get install unzip)" >&2; exit 1; }
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

if [ ! -x "$kustomize_dir/kustomize" ]; then
  echo "building kustomize $KUSTOMIZE_VERSION from sigs.k8s.io/kustomize/kustomize/v5 ..." >&2
  start=$(date +%s)
  mkdir -p "$kustomize_dir"
  GOBIN="$kustomize_dir" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  echo "kustomize built in $(( $(date +%s) - start )) s" >&2
fi

# Copies files out of a Go module's zip (fetched through the module proxy into the module
# cache) into a cache folder. The zip is read directly: only YAML is needed, and a module
# whose go.mod asks for a newer Go than the machine's is still downloaded as a zip.
module_files() {
  local module="$1" version="$2" dest="$3"; shift 3
  local zip
  zip="$(go mod download -json "$module@$version" 2>/dev/null | sed -n 's/^[[:space:]]*"Zip": "\(.*\)",$/\1/p' || true)"
  [ -n "$zip" ] && [ -f "$zip" ] || { echo "scripts/tools.sh: go mod download $module@$version failed:" >&2; go mod download -json "$module@$version" >&2 || true; exit 1; }
  mkdir -p "$dest"
  for file in "$@"; do
    unzip -p "$zip" "$module@$version/$file" > "$dest/$(basename "$file")"
  done
}

if [ ! -f "$argocd_dir/.complete" ]; then
  echo "fetching Argo CD $ARGOCD_VERSION CRDs from its Go module ..." >&2
  module_files github.com/argoproj/argo-cd/v3 "$ARGOCD_VERSION" "$argocd_dir" \
    manifests/crds/application-crd.yaml manifests/crds/applicationset-crd.yaml manifests/crds/appproject-crd.yaml
  touch "$argocd_dir/.complete"
fi

if [ ! -f "$flux_dir/.complete" ]; then
  echo "fetching Flux CRDs (kustomize-controller $FLUX_KUSTOMIZE_VERSION, source-controller $FLUX_SOURCE_VERSION) ..." >&2
  module_files github.com/fluxcd/kustomize-controller "$FLUX_KUSTOMIZE_VERSION" "$flux_dir" \
    config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml
  module_files github.com/fluxcd/source-controller "$FLUX_SOURCE_VERSION" "$flux_dir" \
    config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml
  touch "$flux_dir/.complete"
fi

echo "kustomize=$kustomize_dir/kustomize"
echo "argocd_crds=$argocd_dir"
echo "flux_crds=$flux_dir"
