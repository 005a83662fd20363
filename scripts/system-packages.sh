#!/usr/bin/env bash
# Installs the Debian packages the tests run for real: MariaDB with Galera 4, mariabackup
# and socat (the generated start-up scripts are tested against a real three-member
# cluster on loopback). Idempotent; needs root (or sudo) and Debian's package archive.
set -euo pipefail

packages=(mariadb-server galera-4 mariadb-backup socat)
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
