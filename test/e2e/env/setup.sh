#!/usr/bin/env bash
# Builds the mailjail e2e environment (issue 6):
#   server namespace: Postfix (25 smtpd, 2525 postscreen, 587 submission) + Dovecot SASL,
#                     Dovecot IMAP (143) and POP3 (110) on the same passwd-file,
#                     Exim 4.96 from an unpacked exim4-daemon-light (1025 MX, 1587 submission),
#                     and a second Exim with log_selector = +all and STARTTLS (1026, 1588)
#   client namespace: one veth peer carrying every client address of test/e2e/driver/plan.js
# Usage: setup.sh WORKDIR [ID]
#   WORKDIR must be empty or missing; it receives configs, queues, logs, env.sh and env.json.
# On failure it tears down what it built (teardown.sh) unless MJ_E2E_KEEP=1.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DRIVER="$HERE/../driver/main.js"
WORKDIR="${1:?usage: setup.sh WORKDIR [ID]}"
ID="${2:-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')}"
CACHE_DIR="${MJ_E2E_CACHE:-/var/cache/mailjail-e2e}"
POSTSCREEN_GREET_WAIT="${MJ_E2E_POSTSCREEN_GREET_WAIT:-3s}"
EXIM_GREET_DELAY="${MJ_E2E_EXIM_GREET_DELAY:-1s}"
AUTH_FAILURE_DELAY="${MJ_E2E_AUTH_FAILURE_DELAY:-1 secs}"

log() { printf 'setup: %s\n' "$*" >&2; }

on_error() {
  local status=$?
  log "failed (exit $status) at line ${BASH_LINENO[0]}"
  for file in "$WORKDIR"/log/*.log "$WORKDIR"/log/exim*/*log "$WORKDIR/log/startup.stderr"; do
    [[ -s "$file" ]] && { log "--- tail of $file"; tail -n 20 "$file" >&2; }
  done
  if [[ "${MJ_E2E_KEEP:-0}" != 1 ]]; then
    "$HERE/teardown.sh" "$WORKDIR" >&2 || true
  else
    log "MJ_E2E_KEEP=1: leaving $WORKDIR and the namespaces for inspection"
  fi
  exit "$status"
}
trap on_error ERR

is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Postfix and Dovecot come from Debian as usual; exim4-daemon-light conflicts with postfix as a
# package, so only its libraries are installed and the binary is unpacked privately below.
ensure_packages() {
  local wanted=(postfix dovecot-core dovecot-imapd dovecot-pop3d libidn12 libgnutls-dane0 libgnutls30 libnsl2 libpcre2-8-0
    libdb5.3 libidn2-0 libcrypt1 iproute2)
  local missing=() package
  for package in "${wanted[@]}"; do is_installed "$package" || missing+=("$package"); done
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]}"
  apt-get update -qq
  echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
  # Package scripts must not start the host's own postfix/dovecot; policy-rc.d 101 forbids it.
  local made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
    { ((made_policy)) && rm -f /usr/sbin/policy-rc.d; return 1; }
  ((made_policy)) && rm -f /usr/sbin/policy-rc.d
  return 0
}

ensure_exim() {
  local version
  version="$(apt-cache policy exim4-daemon-light | awk '/Candidate:/ {print $2}')"
  if [[ -z "$version" || "$version" == '(none)' ]]; then apt-get update -qq;
    version="$(apt-cache policy exim4-daemon-light | awk '/Candidate:/ {print $2}')"; fi
  EXIM_ROOT="$CACHE_DIR/exim-${version//[:+~]/_}"
  EXIM="$EXIM_ROOT/usr/sbin/exim4"
  if [[ ! -x "$EXIM" ]]; then
    log "unpacking exim4-daemon-light $version into $EXIM_ROOT"
    local download
    download="$(mktemp -d)"
    chown _apt "$download" 2>/dev/null || true # apt downloads as its _apt sandbox user
    (cd "$download" && apt-get download -q exim4-daemon-light exim4-base >&2)
    mkdir -p "$EXIM_ROOT.partial"
    for deb in "$download"/*.deb; do dpkg -x "$deb" "$EXIM_ROOT.partial"; done
    rm -rf "$download" "$EXIM_ROOT"
    mv "$EXIM_ROOT.partial" "$EXIM_ROOT"
  fi
  # The binary has its run-time user compiled in; exim4-base's postinst would create it.
  if ! getent passwd Debian-exim >/dev/null; then
    adduser --system --group --quiet --home /var/spool/exim4 --no-create-home \
      --disabled-login --force-badname Debian-exim
  fi
  if ldd "$EXIM" | grep -q 'not found'; then
    log "exim libraries missing:"; ldd "$EXIM" | grep 'not found' >&2; return 1
  fi
}

render() { # render TEMPLATE OUTPUT: replace @NAME@ with the value of shell variable NAME
  local template="$1" output="$2" text name
  text="$(<"$template")"
  for name in WORKDIR ID EXIM MAIL_UID MAIL_GID GREET_WAIT AUTH_FAILURE_DELAY EXIM_MX_PORT \
    EXIM_SUBMISSION_PORT EXIM_GREET_DELAY DOVECOT_IMAP_PORT DOVECOT_POP3_PORT EXIM_DIR EXIM_LOG_DIR \
    EXIM_LOG_SELECTOR EXIM_LOG_TIMEZONE EXIM_TLS EXIM_DROP_HOSTS EXIM_JUNK_HOSTS EXIM_SVERIFY_HOSTS; do
    [[ -v $name ]] && text="${text//@$name@/${!name}}" # the EXIM_* ones only inside render_exim
  done
  if grep -q '@[A-Z_]*@' <<<"$text"; then log "unfilled variable in $template"; return 1; fi
  printf '%s\n' "$text" >"$output"
}

# Self-signed certificates for the +all Exim: its own, one its customers present (trusted: CV=yes)
# and one bots present (CV=no). EC keys: a fraction of a second each.
make_certificates() {
  local dir="$WORKDIR/tls" name
  mkdir -p "$dir"
  for name in server customer bot; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
      -subj "/O=mailjail e2e/CN=$name.example.test" -keyout "$dir/$name.key" -out "$dir/$name.crt" \
      2>/dev/null
  done
  chown root:Debian-exim "$dir"/*.key && chmod 640 "$dir"/*.key
  chmod 755 "$dir" && chmod 644 "$dir"/*.crt
}

# render_exim DIR LOG_DIR MX_PORT SUBMISSION_PORT SELECTOR TIMEZONE TLS_BLOCK: one Exim instance's config
render_exim() {
  local EXIM_DIR="$1" EXIM_LOG_DIR="$2" EXIM_MX_PORT="$3" EXIM_SUBMISSION_PORT="$4"
  local EXIM_LOG_SELECTOR="$5" EXIM_LOG_TIMEZONE="$6" EXIM_TLS="$7"
  mkdir -p "$EXIM_DIR/spool" "$EXIM_LOG_DIR"
  chown Debian-exim:Debian-exim "$EXIM_DIR/spool" "$EXIM_LOG_DIR"
  render "$HERE/templates/exim.conf" "$EXIM_DIR/exim.conf"
  chmod 644 "$EXIM_DIR/exim.conf" # exim refuses a -C file writable by anyone but root
}

wait_for_ports() {
  local deadline=$((SECONDS + 30)) port missing
  while :; do
    missing=()
    for port in "$@"; do
      ip netns exec "$SERVER_NS" ss -Hltn "sport = :$port" | grep -q . || missing+=("$port")
    done
    ((${#missing[@]} == 0)) && return 0
    if ((SECONDS > deadline)); then log "ports not listening: ${missing[*]}"; return 1; fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------- start
[[ $EUID -eq 0 ]] || { log 'must run as root (namespaces, MTAs)'; exit 1; }
if [[ -e "$WORKDIR" ]] && [[ -n "$(ls -A "$WORKDIR")" ]]; then log "$WORKDIR is not empty"; exit 1; fi
mkdir -p "$WORKDIR"
WORKDIR="$(cd "$WORKDIR" && pwd)"
chmod 755 "$WORKDIR" # postfix, dovecot and Debian-exim walk through it
eval "$(node "$DRIVER" env-vars)"
SERVER_NS="mj-e2e-srv-$ID"
CLIENT_NS="mj-e2e-cli-$ID"
# teardown.sh reads this first, so it can clean up whatever exists even if we stop half-way.
cat >"$WORKDIR/env.sh" <<VARS
ID='$ID'
WORKDIR='$WORKDIR'
SERVER_NS='$SERVER_NS'
CLIENT_NS='$CLIENT_NS'
VARS

ensure_packages
ensure_exim
MAIL_UID="$(id -u nobody)"
MAIL_GID="$(id -g nobody)"
GREET_WAIT="$POSTSCREEN_GREET_WAIT"

log "namespaces $SERVER_NS and $CLIENT_NS"
ip netns add "$SERVER_NS"
ip netns add "$CLIENT_NS"
ip -n "$SERVER_NS" link set lo up
ip -n "$CLIENT_NS" link set lo up
ip -n "$SERVER_NS" link add veth-srv type veth peer name veth-cli netns "$CLIENT_NS"
{
  echo "address add $SERVER_V4/$V4_PREFIX dev veth-srv"
  for alias in $SERVER_V4_ALIASES; do echo "address add $alias/$V4_PREFIX dev veth-srv"; done
  echo "address add $SERVER_V6/$V6_PREFIX dev veth-srv nodad"
  echo "link set veth-srv up"
  for route in $SERVER_V4_ROUTES; do echo "route add $route dev veth-srv src $SERVER_V4"; done
} | ip -n "$SERVER_NS" -batch -
# nodad: otherwise every IPv6 address sits "tentative" for a second or two and bind() fails.
node "$DRIVER" addresses | awk -v p4="$V4_PREFIX" -v p6="$V6_PREFIX" '
  /:/ { print "address add " $1 "/" p6 " dev veth-cli nodad"; next }
      { print "address add " $1 "/" p4 " dev veth-cli" }
  END { print "link set veth-cli up" }' | ip -n "$CLIENT_NS" -batch -
log "client addresses: $(ip -n "$CLIENT_NS" -o addr show dev veth-cli | wc -l)"

log "configs in $WORKDIR"
mkdir -p "$WORKDIR"/{log,postfix/etc,postfix/spool,postfix/data,dovecot/run,dovecot/state} \
  "$WORKDIR"/{exim,mail/postfix,mail/exim,mail/dovecot}
chown postfix:postfix "$WORKDIR/postfix/data"
chown nobody:nogroup "$WORKDIR"/mail/{postfix,dovecot}
# Exim run with -C drops root for good, so it can only deliver as its own user.
chown Debian-exim:Debian-exim "$WORKDIR/mail/exim"
render "$HERE/templates/postfix-main.cf" "$WORKDIR/postfix/etc/main.cf"
render "$HERE/templates/postfix-master.cf" "$WORKDIR/postfix/etc/master.cf"
render "$HERE/templates/dovecot.conf" "$WORKDIR/dovecot/dovecot.conf"
make_certificates
render_exim "$WORKDIR/exim" "$WORKDIR/log/exim" "$EXIM_MX_PORT" "$EXIM_SUBMISSION_PORT" \
  '+smtp_connection +smtp_no_mail +smtp_protocol_error +smtp_syntax_error +incoming_port +incoming_interface +pid' \
  false $'tls_advertise_hosts =\nauth_advertise_hosts = *'
render_exim "$WORKDIR/exim-all" "$WORKDIR/log/exim-all" "$EXIM_ALL_MX_PORT" "$EXIM_ALL_SUBMISSION_PORT" \
  '+all' true "tls_advertise_hosts = *
tls_certificate = $WORKDIR/tls/server.crt
tls_privatekey = $WORKDIR/tls/server.key
tls_try_verify_hosts = *
tls_verify_certificates = $WORKDIR/tls/customer.crt
auth_advertise_hosts = \${if or{{eq{\$received_port}{$EXIM_ALL_SUBMISSION_PORT}}{!eq{\$tls_in_cipher}{}}}{*}{}}"
: >"$WORKDIR/postfix/etc/vmailbox"
: >"$WORKDIR/dovecot/users"
: >"$WORKDIR/exim/passwd"
: >"$WORKDIR/exim/mailboxes"
while read -r user password mailbox; do
  echo "$user $mailbox/" >>"$WORKDIR/postfix/etc/vmailbox"
  echo "$user:{PLAIN}$password" >>"$WORKDIR/dovecot/users"
  echo "$user: $password" >>"$WORKDIR/exim/passwd"
  echo "${user%@*}: $mailbox" >>"$WORKDIR/exim/mailboxes"
done < <(node "$DRIVER" accounts)
chown root:dovecot "$WORKDIR/dovecot/users" && chmod 640 "$WORKDIR/dovecot/users"
chown root:Debian-exim "$WORKDIR/exim/passwd" && chmod 640 "$WORKDIR/exim/passwd"

log 'starting postfix'
# postfix(1) writes its errors to stderr only when that is a terminal, hence script(1).
# Daemons get their own stdio files: one holding our stdout open would hang a caller's pipe.
in_tty() { script -qec "$*" /dev/null </dev/null >>"$WORKDIR/log/startup.stderr" 2>&1; }
in_tty ip netns exec "$SERVER_NS" postfix -c "$WORKDIR/postfix/etc" check
in_tty ip netns exec "$SERVER_NS" postfix -c "$WORKDIR/postfix/etc" start
log 'starting dovecot'
ip netns exec "$SERVER_NS" dovecot -c "$WORKDIR/dovecot/dovecot.conf" </dev/null \
  >>"$WORKDIR/log/startup.stderr" 2>&1
log 'starting exim'
for instance in exim exim-all; do
  ip netns exec "$SERVER_NS" "$EXIM" -C "$WORKDIR/$instance/exim.conf" -bd -q30m </dev/null \
    >>"$WORKDIR/log/startup.stderr" 2>&1
done
wait_for_ports "$POSTFIX_SMTP_PORT" "$POSTFIX_POSTSCREEN_PORT" "$POSTFIX_SUBMISSION_PORT" \
  "$EXIM_MX_PORT" "$EXIM_SUBMISSION_PORT" "$EXIM_ALL_MX_PORT" "$EXIM_ALL_SUBMISSION_PORT" \
  "$DOVECOT_IMAP_PORT" "$DOVECOT_POP3_PORT"
# up to 30 s, like the ports: a loaded machine starts Dovecot's auth process late
for _ in $(seq 300); do [[ -S "$WORKDIR/postfix/spool/private/auth" ]] && break; sleep 0.1; done
[[ -S "$WORKDIR/postfix/spool/private/auth" ]] || { log 'dovecot auth socket missing'; false; }

cat >>"$WORKDIR/env.sh" <<VARS
EXIM='$EXIM'
VARS
cat >"$WORKDIR/env.json" <<JSON
{
  "id": "$ID",
  "workdir": "$WORKDIR",
  "serverNamespace": "$SERVER_NS",
  "clientNamespace": "$CLIENT_NS",
  "server": { "v4": "$SERVER_V4", "v6": "$SERVER_V6" },
  "ports": {
    "postfixSmtp": $POSTFIX_SMTP_PORT, "postfixPostscreen": $POSTFIX_POSTSCREEN_PORT,
    "postfixSubmission": $POSTFIX_SUBMISSION_PORT,
    "eximSmtp": $EXIM_MX_PORT, "eximSubmission": $EXIM_SUBMISSION_PORT,
    "eximAllSmtp": $EXIM_ALL_MX_PORT, "eximAllSubmission": $EXIM_ALL_SUBMISSION_PORT,
    "dovecotImap": $DOVECOT_IMAP_PORT, "dovecotPop3": $DOVECOT_POP3_PORT
  },
  "logs": {
    "postfix": "$WORKDIR/log/postfix.log",
    "exim": "$WORKDIR/log/exim/mainlog",
    "eximReject": "$WORKDIR/log/exim/rejectlog",
    "eximAll": "$WORKDIR/log/exim-all/mainlog",
    "dovecot": "$WORKDIR/log/dovecot.log"
  },
  "exim": "$EXIM",
  "eximConfig": "$WORKDIR/exim/exim.conf",
  "tlsDir": "$WORKDIR/tls",
  "postfixConfigDir": "$WORKDIR/postfix/etc"
}
JSON
log "ready: $WORKDIR/env.json"
echo "$WORKDIR/env.json"
