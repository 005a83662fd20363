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
K8S_VERSION=v1.37.2            # k8s.io/kubernetes: kube-apiserver and kubectl (staging modules v0.37.2)
ETCD_VERSION=v3.7.0            # go.etcd.io/etcd/server/v3: the etcd that Kubernetes v1.37.2 itself requires
HELM_VERSION=v3.22.0           # helm.sh/helm/v3 (cmd/helm), for the chart
CERT_MANAGER_VERSION=v1.21.2   # github.com/cert-manager/cert-manager: Certificate and Issuer CRDs
COREDNS_VERSION=v1.15.0        # github.com/coredns/coredns: cluster DNS for the real node
MYSQLD_EXPORTER_VERSION=v0.19.0 # github.com/prometheus/mysqld_exporter: the exporter beside each member (v0.18.x is not on the proxy)
PROMETHEUS_VERSION=v0.316.0    # github.com/prometheus/prometheus (Prometheus 3.16): promtool, to test the alert rules
PROMETHEUS_OPERATOR_VERSION=v0.85.0 # github.com/prometheus-operator/prometheus-operator: ServiceMonitor and PrometheusRule CRDs
VERSITYGW_VERSION=v1.8.0       # github.com/versity/versitygw: the S3 server the backup tests upload to (posix backend)
KYVERNO_VERSION=v1.19.1         # github.com/kyverno/kyverno: the wgpolicyk8s.io PolicyReport CRDs it ships (the proxy refuses sigs.k8s.io/wg-policy-prototypes)

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/tools"
mode="${1:-install}"

kustomize_dir="$cache/kustomize-$KUSTOMIZE_VERSION"
argocd_dir="$cache/crds/argo-cd-$ARGOCD_VERSION"
flux_dir="$cache/crds/flux-kustomize-$FLUX_KUSTOMIZE_VERSION-source-$FLUX_SOURCE_VERSION"
k8s_dir="$cache/kubernetes-$K8S_VERSION"
etcd_dir="$cache/etcd-$ETCD_VERSION"
helm_dir="$cache/helm-$HELM_VERSION"
certmanager_dir="$cache/crds/cert-manager-$CERT_MANAGER_VERSION"
coredns_dir="$cache/coredns-$COREDNS_VERSION"
exporter_dir="$cache/mysqld-exporter-$MYSQLD_EXPORTER_VERSION"
promtool_dir="$cache/promtool-$PROMETHEUS_VERSION"
monitoring_dir="$cache/crds/prometheus-operator-$PROMETHEUS_OPERATOR_VERSION"
policyreport_dir="$cache/crds/policy-reports-kyverno-$KYVERNO_VERSION"
versitygw_dir="$cache/versitygw-$VERSITYGW_VERSION"
# The real node's parts, built from the same module set as kube-apiserver.
K8S_COMMANDS=(kube-apiserver kubectl kubelet kube-controller-manager kube-scheduler)

missing=0
[ -x "$kustomize_dir/kustomize" ] || missing=1
[ -f "$argocd_dir/.complete" ] || missing=1
[ -f "$flux_dir/.complete" ] || missing=1
k8s_missing=()
for command in "${K8S_COMMANDS[@]}"; do [ -x "$k8s_dir/$command" ] || k8s_missing+=("$command"); done
[ ${#k8s_missing[@]} -eq 0 ] || missing=1
[ -x "$coredns_dir/coredns" ] || missing=1
[ -x "$etcd_dir/etcd" ] || missing=1
[ -x "$helm_dir/helm" ] || missing=1
[ -f "$certmanager_dir/.complete" ] || missing=1
[ -x "$exporter_dir/mysqld_exporter" ] || missing=1
[ -x "$promtool_dir/promtool" ] || missing=1
[ -f "$monitoring_dir/.complete" ] || missing=1
[ -f "$policyreport_dir/.complete" ] || missing=1
[ -x "$versitygw_dir/versitygw" ] || missing=1

print_paths() {
  echo "kustomize=$kustomize_dir/kustomize"
  echo "argocd_crds=$argocd_dir"
  echo "flux_crds=$flux_dir"
  echo "kube_apiserver=$k8s_dir/kube-apiserver"
  echo "kubectl=$k8s_dir/kubectl"
  echo "kubelet=$k8s_dir/kubelet"
  echo "kube_controller_manager=$k8s_dir/kube-controller-manager"
  echo "kube_scheduler=$k8s_dir/kube-scheduler"
  echo "coredns=$coredns_dir/coredns"
  echo "pause_source=$k8s_dir/pause.c"
  echo "etcd=$etcd_dir/etcd"
  echo "helm=$helm_dir/helm"
  echo "certmanager_crds=$certmanager_dir"
  echo "mysqld_exporter=$exporter_dir/mysqld_exporter"
  echo "promtool=$promtool_dir/promtool"
  echo "monitoring_crds=$monitoring_dir"
  echo "policy_report_crds=$policyreport_dir"
  echo "versitygw=$versitygw_dir/versitygw"
}

if [ "$mode" = "--print" ]; then
  print_paths
  exit "$missing"
fi

command -v go >/dev/null || { echo "scripts/tools.sh: go is not installed; install Go 1.26+ (https://go.dev/dl/ or your package manager)" >&2; exit 1; }
command -v unzip >/dev/null || { echo "scripts/tools.sh: unzip is not installed; install it (apt-get install unzip)" >&2; exit 1; }
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

# kube-apiserver, kubectl and the node's kubelet, controller manager and scheduler:
# `go install k8s.io/kubernetes/cmd/...` cannot work, because that module points its
# k8s.io/* staging modules at local folders. A small module of ours requires it and
# replaces every staging module with the published v0.<minor>.<patch>.
build_kubernetes() {
  echo "building ${k8s_missing[*]} $K8S_VERSION (minutes on 2 cores, once) ..." >&2
  start=$(date +%s)
  work="$cache/build/kubernetes-$K8S_VERSION"
  mkdir -p "$work" "$k8s_dir"
  staging="v0.${K8S_VERSION#v1.}"
  gomod="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  {
    echo "module galera-gitops.local/kubernetes-tools"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    sed -n 's/^[[:space:]]*\(k8s\.io\/[^ ]*\) => \.\/staging\/.*$/\1/p' "$gomod" | while read -r module; do
      echo "replace $module => $module $staging"
    done
  } > "$work/go.mod"
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  version="-X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  if [ ${#k8s_missing[@]} -gt 0 ]; then
    (cd "$work" && go build -ldflags "$version" -o "$k8s_dir/" "${k8s_missing[@]/#/k8s.io/kubernetes/cmd/}")
  fi
  # The pod sandbox's pause process, compiled from the same release's source (no registry).
  src="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  cp "$src/build/pause/linux/pause.c" "$k8s_dir/pause.c"
  echo "${k8s_missing[*]} built in $(( $(date +%s) - start )) s" >&2
}
# The Kubernetes build (the longest) runs beside the others: on a cold machine the module
# downloads and single-threaded link steps of one overlap the compiling of the other.
k8s_pid=""
if [ ${#k8s_missing[@]} -gt 0 ] || [ ! -f "$k8s_dir/pause.c" ]; then
  build_kubernetes &
  k8s_pid=$!
fi

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

if [ ! -f "$certmanager_dir/.complete" ]; then
  echo "fetching cert-manager $CERT_MANAGER_VERSION CRDs from its Go module ..." >&2
  module_files github.com/cert-manager/cert-manager "$CERT_MANAGER_VERSION" "$certmanager_dir" \
    deploy/crds/cert-manager.io_certificates.yaml deploy/crds/cert-manager.io_issuers.yaml
  touch "$certmanager_dir/.complete"
fi

if [ ! -f "$monitoring_dir/.complete" ]; then
  echo "fetching Prometheus Operator $PROMETHEUS_OPERATOR_VERSION CRDs (ServiceMonitor, PrometheusRule) ..." >&2
  module_files github.com/prometheus-operator/prometheus-operator "$PROMETHEUS_OPERATOR_VERSION" "$monitoring_dir" \
    example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml
  touch "$monitoring_dir/.complete"
fi

if [ ! -f "$policyreport_dir/.complete" ]; then
  echo "fetching the PolicyReport CRDs (wgpolicyk8s.io v1alpha2) from Kyverno $KYVERNO_VERSION ..." >&2
  module_files github.com/kyverno/kyverno "$KYVERNO_VERSION" "$policyreport_dir" \
    config/crds/policyreport/wgpolicyk8s.io_policyreports.yaml config/crds/policyreport/wgpolicyk8s.io_clusterpolicyreports.yaml
  touch "$policyreport_dir/.complete"
fi


if [ ! -x "$coredns_dir/coredns" ]; then
  echo "building CoreDNS $COREDNS_VERSION ..." >&2
  start=$(date +%s)
  mkdir -p "$coredns_dir"
  GOBIN="$coredns_dir" go install "github.com/coredns/coredns@$COREDNS_VERSION"
  echo "CoreDNS built in $(( $(date +%s) - start )) s" >&2
fi

# etcd: its main module replaces its own submodules with folders too; a three-line main of
# ours calls the server's entry point.
if [ ! -x "$etcd_dir/etcd" ]; then
  echo "building etcd $ETCD_VERSION ..." >&2
  start=$(date +%s)
  work="$cache/build/etcd-$ETCD_VERSION"
  mkdir -p "$work" "$etcd_dir"
  printf 'module galera-gitops.local/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > "$work/go.mod"
  printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' > "$work/main.go"
  (cd "$work" && go build -o "$etcd_dir/etcd" .)
  echo "etcd built in $(( $(date +%s) - start )) s" >&2
fi

# mysqld_exporter, static (no C library in the test image), for the members' exporter image.
if [ ! -x "$exporter_dir/mysqld_exporter" ]; then
  echo "building mysqld_exporter $MYSQLD_EXPORTER_VERSION ..." >&2
  start=$(date +%s)
  # `go install module@version` reads the module's version list, which the proxy refuses
  # for this module; a small module of ours requiring the exact version builds it instead.
  work="$cache/build/mysqld-exporter-$MYSQLD_EXPORTER_VERSION"
  mkdir -p "$work" "$exporter_dir"
  printf 'module galera-gitops.local/mysqld-exporter\n\ngo 1.26\n\nrequire github.com/prometheus/mysqld_exporter %s\n' "$MYSQLD_EXPORTER_VERSION" > "$work/go.mod"
  printf 'package main\n\nimport _ "github.com/prometheus/mysqld_exporter"\n' > "$work/tools.go"
  (cd "$work" && CGO_ENABLED=0 go build -o "$exporter_dir/mysqld_exporter" github.com/prometheus/mysqld_exporter)
  echo "mysqld_exporter built in $(( $(date +%s) - start )) s" >&2
fi

if [ ! -x "$promtool_dir/promtool" ]; then
  echo "building promtool $PROMETHEUS_VERSION ..." >&2
  start=$(date +%s)
  mkdir -p "$promtool_dir"
  GOBIN="$promtool_dir" go install "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
  echo "promtool built in $(( $(date +%s) - start )) s" >&2
fi

# versitygw, static (it runs alone in its test image): a real S3 server over a folder.
if [ ! -x "$versitygw_dir/versitygw" ]; then
  echo "building versitygw $VERSITYGW_VERSION ..." >&2
  start=$(date +%s)
  mkdir -p "$versitygw_dir"
  CGO_ENABLED=0 GOBIN="$versitygw_dir" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
  echo "versitygw built in $(( $(date +%s) - start )) s" >&2
fi

if [ ! -x "$helm_dir/helm" ]; then
  echo "building helm $HELM_VERSION from helm.sh/helm/v3 ..." >&2
  start=$(date +%s)
  mkdir -p "$helm_dir"
  GOBIN="$helm_dir" go install -ldflags "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  echo "helm built in $(( $(date +%s) - start )) s" >&2
fi

if [ -n "$k8s_pid" ]; then
  wait "$k8s_pid" || { echo "scripts/tools.sh: building Kubernetes $K8S_VERSION failed (its output is above)" >&2; exit 1; }
fi

print_paths
