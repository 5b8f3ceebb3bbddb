#!/usr/bin/env bash
# Copies the MTA logs of a finished run into fixtures and records who did what.
# Usage: collect-logs.sh WORKDIR SUMMARY_JSON [DEST_DIR]   (DEST_DIR defaults to fixtures/logs)
# Writes DEST/real-postfix.log, DEST/real-exim.log, DEST/real-exim-all.log (the Exim with
# log_selector = +all and TLS), DEST/real-dovecot.log and DEST/real-scenarios.json.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORKDIR="${1:?usage: collect-logs.sh WORKDIR SUMMARY_JSON [DEST_DIR]}"
SUMMARY="${2:?usage: collect-logs.sh WORKDIR SUMMARY_JSON [DEST_DIR]}"
DEST="${3:-$HERE/../../fixtures/logs}"
DRIVER="$HERE/driver/main.js"

# Deliveries and disconnect lines trail the client's last byte; wait for both logs to go quiet.
settle() {
  local deadline=$((SECONDS + 30)) last='' now
  while ((SECONDS < deadline)); do
    now="$(stat -c %s "$@" 2>/dev/null | tr '\n' ' ')"
    [[ "$now" == "$last" ]] && return 0
    last="$now"
    sleep 2
  done
  echo "collect-logs: logs still growing after 30s; copying anyway" >&2
}

settle "$WORKDIR/log/postfix.log" "$WORKDIR/log/exim/mainlog" "$WORKDIR/log/exim-all/mainlog" "$WORKDIR/log/dovecot.log"
mkdir -p "$DEST"
cp "$WORKDIR/log/postfix.log" "$DEST/real-postfix.log"
cp "$WORKDIR/log/exim/mainlog" "$DEST/real-exim.log"
cp "$WORKDIR/log/exim-all/mainlog" "$DEST/real-exim-all.log"
cp "$WORKDIR/log/dovecot.log" "$DEST/real-dovecot.log"
LOGS=("$DEST/real-postfix.log" "$DEST/real-exim.log" "$DEST/real-exim-all.log" "$DEST/real-dovecot.log")
chmod 644 "${LOGS[@]}" # exim creates its log 0640
node "$DRIVER" check-addresses "${LOGS[@]}"
node "$DRIVER" scenario-map --summary "$SUMMARY" --out "$DEST/real-scenarios.json" >/dev/null
echo "collect-logs: $(wc -l <"$DEST/real-postfix.log") postfix lines, $(wc -l <"$DEST/real-exim.log") + $(wc -l <"$DEST/real-exim-all.log") exim lines, $(wc -l <"$DEST/real-dovecot.log") dovecot lines -> $DEST" >&2
