#!/usr/bin/env bash
# Installs the Debian packages the tests drive for real (nft, iptables, ipset, ip, and
# systemd-journal-remote, which writes genuine journal files for the journal tests), when missing.
# Idempotent and quiet when everything is there; needs root (tests that change a firewall do anyway).
set -euo pipefail
need=()
command -v nft >/dev/null || need+=(nftables)
command -v iptables >/dev/null || need+=(iptables)
command -v ipset >/dev/null || need+=(ipset)
command -v ip >/dev/null || need+=(iproute2)
command -v setpriv >/dev/null || need+=(util-linux)
# metrics: a real Prometheus scrapes the daemon; log priorities: a real journald and systemd-cat
[[ -x /usr/bin/prometheus ]] || need+=(prometheus)
[[ -x /lib/systemd/systemd-journald && -x /usr/bin/systemd-cat ]] || need+=(systemd)
command -v journalctl >/dev/null || need+=(systemd)
[[ -x /lib/systemd/systemd-journal-remote ]] || need+=(systemd-journal-remote)
# the fleet suite runs a real Redis (Debian 12: 7.0), started by the test on a loopback port
command -v redis-server >/dev/null || need+=(redis-server)
command -v openssl >/dev/null || need+=(openssl)   # the fleet suite makes a CA for Redis over TLS
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "mailjail tests need: ${need[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Package scripts must not start the host's own services (redis-server's unit, prometheus on :9090, systemd-journal-remote's socket): policy-rc.d 101 forbids it.
  made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  status=0
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || status=$?
  if ((made_policy)); then rm -f /usr/sbin/policy-rc.d; fi
  exit "$status"
fi
