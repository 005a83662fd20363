#!/usr/bin/env bash
# Installs the Debian packages the tests run for real. Idempotent; needs root (or sudo)
# and Debian's package archive. The tests call it themselves when something is missing.
#
#   MariaDB with Galera 4, mariabackup and socat   the start-up scripts on loopback
#   containerd, runc, the CNI plugins, iproute2    the real node's container runtime and network
#   debootstrap, gcc, libc6-dev                    images without a registry (root file systems, pause)
#   buildah                                        the webhook image from the project's Dockerfile
set -euo pipefail

packages=(mariadb-server galera-4 mariadb-backup socat containerd runc containernetworking-plugins iproute2 debootstrap gcc libc6-dev buildah curl)
needed=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || needed+=("$p"); done
[ ${#needed[@]} -eq 0 ] && { echo "system packages present: ${packages[*]}"; exit 0; }

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# The tests start their own servers; keep the package from starting a system one.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
echo "installed: ${needed[*]}"
