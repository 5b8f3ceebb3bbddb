#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real (nft, iptables, ipset, ip), when missing.
# Idempotent and quiet when everything is there; needs root (tests that change a firewall do anyway).
set -euo pipefail
need=()
command -v nft >/dev/null || need+=(nftables)
command -v iptables >/dev/null || need+=(iptables)
command -v ipset >/dev/null || need+=(ipset)
command -v ip >/dev/null || need+=(iproute2)
command -v setpriv >/dev/null || need+=(util-linux)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "mailjail tests need: ${need[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
