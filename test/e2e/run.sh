#!/usr/bin/env bash
# `npm run test:e2e`: the end-to-end suite (issue 6). Root on Debian 12; installs what it drives
# when missing (nft, iptables, ipset; Postfix, Dovecot and Exim come from test/e2e/env/setup.sh),
# builds mailjail if the build is missing or older than src/, then runs test/e2e/e2e.js, whose
# last line is `N passed, N failed`. Arguments go to e2e.js (--action nftables|iptables, --fixtures).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [[ $EUID -ne 0 ]]; then
  echo 'test:e2e needs root (network namespaces, firewalls, MTAs)' >&2
  echo '0 passed, 1 failed'
  exit 1
fi
bash scripts/install-debian-deps.sh
if [[ ! -f dist/cli/main.js ]] || [[ -n "$(find src -newer dist/cli/main.js -print -quit)" ]]; then
  npm run build
fi
exec node test/e2e/e2e.js "$@"
