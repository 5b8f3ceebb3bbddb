#!/usr/bin/env bash
# Stops what setup.sh started and deletes its namespaces and WORKDIR. Safe to run twice and after
# a half-finished setup: it only acts on what WORKDIR/env.sh names.
# Usage: teardown.sh WORKDIR        (MJ_E2E_KEEP=1 keeps WORKDIR, e.g. to read the logs)
set -uo pipefail

WORKDIR="${1:?usage: teardown.sh WORKDIR}"
log() { printf 'teardown: %s\n' "$*" >&2; }
if [[ ! -f "$WORKDIR/env.sh" ]]; then log "no $WORKDIR/env.sh: nothing to do"; exit 0; fi
# shellcheck source=/dev/null
source "$WORKDIR/env.sh"

ns_exists() { [[ -e "/run/netns/$1" ]]; }

# Every process inside our namespaces was started by setup.sh or the driver; end them by pid.
kill_namespace_processes() {
  local ns="$1" pids attempt
  ns_exists "$ns" || return 0
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    pids="$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
    [[ -z "${pids// /}" ]] && return 0
    if ((attempt < 8)); then kill -TERM $pids 2>/dev/null; else kill -KILL $pids 2>/dev/null; fi
    sleep 0.3
  done
}

if ns_exists "${SERVER_NS:-}"; then
  if [[ -f "$WORKDIR/postfix/etc/main.cf" ]]; then
    ip netns exec "$SERVER_NS" postfix -c "$WORKDIR/postfix/etc" stop >/dev/null 2>&1 || true
  fi
  for pid_file in "$WORKDIR/exim/exim.pid" "$WORKDIR/exim-all/exim.pid"; do
    if [[ -f "$pid_file" ]]; then kill -TERM "$(cat "$pid_file")" 2>/dev/null; fi
  done
  if [[ -f "$WORKDIR/dovecot/run/master.pid" ]]; then
    kill -TERM "$(cat "$WORKDIR/dovecot/run/master.pid")" 2>/dev/null
  fi
fi
for ns in "${CLIENT_NS:-}" "${SERVER_NS:-}"; do
  [[ -n "$ns" ]] || continue
  kill_namespace_processes "$ns"
  if ns_exists "$ns"; then ip netns del "$ns" && log "deleted namespace $ns"; fi
done
if [[ "${MJ_E2E_KEEP:-0}" == 1 ]]; then
  log "kept $WORKDIR"
else
  rm -rf -- "$WORKDIR" && log "removed $WORKDIR"
fi
