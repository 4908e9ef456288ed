#!/usr/bin/env bash
# A real mail stack on loopback for tests and the demo: Dovecot (IMAP + LMTP)
# and OpenSMTPD relaying every recipient into Dovecot's LMTP. Dovecot also
# speaks TLS (IMAPS, IMAP STARTTLS, and authenticated submission with
# implicit TLS or STARTTLS, relayed into OpenSMTPD) with a certificate from a
# throwaway test CA (CA_FILE).
#
#   tests/mailstack.sh start DIR   start it, files in DIR; prints KEY=VALUE lines
#   tests/mailstack.sh stop DIR    stop it and empty smtpd's queue
#
# Every address is a mailbox (password below); mail lands in
# DIR/mail/<address>/Maildir. Needs root (both servers drop privileges).
set -euo pipefail

PASSWORD="${MAILSTACK_PASSWORD:-Pw-9f3c1d7e-never-logged}"

die() { echo "mailstack: $*" >&2; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if port_free "$p"; then echo "$p"; return; fi
  done
  die "no free port found"
}

wait_port() { # port what log
  for _ in $(seq 1 300); do
    if ! port_free "$1"; then return 0; fi
    sleep 0.1
  done
  echo "mailstack: $2 did not listen on port $1; its log:" >&2
  cat "$3" >&2 || true
  exit 1
}

start() {
  local dir=$1
  [ "$(id -u)" -eq 0 ] || die "must run as root (Dovecot and OpenSMTPD drop privileges themselves)"
  for bin in dovecot smtpd smtpctl openssl; do
    command -v "$bin" >/dev/null || die "$bin is not installed (apt-get install dovecot-imapd dovecot-lmtpd opensmtpd)"
  done
  mkdir -p "$dir"/{run,state,mail}
  dir=$(cd "$dir" && pwd)
  # Dovecot's mail processes run as nobody: every folder above must be traversable.
  chmod 755 "$dir"; chmod 777 "$dir/mail"
  local up="$dir"
  while [ "$up" != / ]; do up=$(dirname "$up"); chmod o+x "$up" 2>/dev/null || true; done

  # Only one smtpd can run per machine: stop one left by an earlier run.
  pkill -f 'mailintake-smtpd.conf' 2>/dev/null && sleep 0.5 || true
  if pgrep -x smtpd >/dev/null; then
    echo "mailstack: stopping the smtpd already running (only one can run)" >&2
    smtpctl stop >/dev/null 2>&1 || pkill -x smtpd || true
    sleep 1
  fi

  # Distinct free ports: IMAP (with STARTTLS), IMAPS, LMTP, SMTP, and
  # Dovecot's submission service with implicit TLS and with STARTTLS.
  local ports=() p
  while [ ${#ports[@]} -lt 6 ]; do
    p=$(free_port)
    case " ${ports[*]} " in *" $p "*) ;; *) ports+=("$p") ;; esac
  done
  local imap=${ports[0]} imaps=${ports[1]} lmtp=${ports[2]} smtp=${ports[3]} submissions=${ports[4]} submission=${ports[5]}

  # A test CA and a certificate for localhost / 127.0.0.1 signed by it.
  local tls="$dir/tls"
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=mailintake test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >"$tls/server.ext"
  openssl x509 -req -days 7 -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" \
    -CAcreateserial -extfile "$tls/server.ext" -out "$tls/server.crt" 2>/dev/null
  chmod 600 "$tls/server.key" "$tls/ca.key"

  cat >"$dir/dovecot.conf" <<EOF
protocols = imap lmtp submission
listen = 127.0.0.1
hostname = localhost
# Submission (authenticated, TLS) relays into OpenSMTPD: the TLS SMTP peer
# for tests, since OpenSMTPD 6.8 cannot serve TLS with OpenSSL 3.
submission_relay_host = 127.0.0.1
submission_relay_port = $smtp
submission_relay_trusted = yes
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
ssl = yes
ssl_cert = <$tls/server.crt
ssl_key = <$tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:$dir/mail/%Lu/Maildir
passdb {
  driver = static
  args = password=$PASSWORD
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/mail/%Lu
}
# Failed logins from an address slow every later login from it (up to
# 15 s): tests share 127.0.0.1, and one test's wrong password must not
# slow another's login.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
  }
}
service submission-login {
  inet_listener submission {
    address = 127.0.0.1
    port = $submission
  }
  inet_listener submissions {
    address = 127.0.0.1
    port = $submissions
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp
  }
}
EOF
  # Dovecot keeps the stdout/stderr it starts with: give it files.
  dovecot -F -c "$dir/dovecot.conf" </dev/null >"$dir/dovecot.out" 2>&1 &
  echo $! >"$dir/dovecot.pid"
  wait_port "$imap" "dovecot imap" "$dir/dovecot.out"
  wait_port "$imaps" "dovecot imaps" "$dir/dovecot.out"
  wait_port "$lmtp" "dovecot lmtp" "$dir/dovecot.out"

  cat >"$dir/mailintake-smtpd.conf" <<EOF
table catchall { "@" = "nobody" }
listen on 127.0.0.1 port $smtp
action "d" lmtp "127.0.0.1:$lmtp" rcpt-to virtual <catchall>
match from any for any action "d"
EOF
  chmod 644 "$dir/mailintake-smtpd.conf"
  # smtpd looks every client up in DNS; there is none here and a lost query
  # stalls a session 5 s. In a private mount namespace it gets a resolver
  # that reads /etc/hosts only.
  echo "lookup file" >"$dir/resolv.conf"
  if unshare -m true 2>/dev/null; then
    unshare -m sh -c "mount --bind '$dir/resolv.conf' /etc/resolv.conf && exec smtpd -f '$dir/mailintake-smtpd.conf' -d" \
      </dev/null >"$dir/smtpd.out" 2>&1 &
  else
    smtpd -f "$dir/mailintake-smtpd.conf" -d </dev/null >"$dir/smtpd.out" 2>&1 &
  fi
  echo $! >"$dir/smtpd.pid"
  wait_port "$smtp" "opensmtpd" "$dir/smtpd.out"
  wait_port "$submission" "dovecot submission" "$dir/dovecot.out"
  wait_port "$submissions" "dovecot submissions" "$dir/dovecot.out"

  cat >"$dir/ports.env" <<EOF
IMAP_PORT=$imap
IMAPS_PORT=$imaps
LMTP_PORT=$lmtp
SMTP_PORT=$smtp
SUBMISSIONS_PORT=$submissions
SUBMISSION_PORT=$submission
CA_FILE=$tls/ca.crt
MAIL_DIR=$dir/mail
PASSWORD=$PASSWORD
EOF
  cat "$dir/ports.env"
}

stop() {
  local dir=$1
  # smtpd's queue is machine-wide: empty it before stopping, but only while
  # the smtpd running is this stack's (a newer stack may have replaced it).
  if [ -f "$dir/smtpd.pid" ] && kill -0 "$(cat "$dir/smtpd.pid")" 2>/dev/null; then
    smtpctl remove all >/dev/null 2>&1 || true
  fi
  local pids=""
  for f in "$dir/smtpd.pid" "$dir/dovecot.pid"; do
    [ -f "$f" ] && pids="$pids $(cat "$f")"
  done
  [ -n "$pids" ] || return 0
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  for _ in $(seq 1 50); do
    # shellcheck disable=SC2086
    kill -0 $pids 2>/dev/null || return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
}

case "${1:-}" in
  start) [ -n "${2:-}" ] || die "usage: $0 start DIR"; start "$2" ;;
  stop) [ -n "${2:-}" ] || die "usage: $0 stop DIR"; stop "$2" ;;
  *) die "usage: $0 start|stop DIR" ;;
esac
