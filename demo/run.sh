#!/usr/bin/env bash
# The demo: a local mail stack (Dovecot + OpenSMTPD on loopback), the
# mailintake daemon on SQLite, and a few applicants writing to it.
# Installs the mail stack if missing. Needs root. Leaves its files in
# demo/work (the report, the database, every delivered mail).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then exec sudo -E env "PATH=$PATH" "$0" "$@"; fi
  echo "demo/run.sh: the demo starts Dovecot and OpenSMTPD and needs root" >&2
  exit 1
fi

missing=()
for pkg in dovecot-imapd dovecot-lmtpd dovecot-submissiond opensmtpd openssl swaks; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "demo: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "demo: building mailintake"
cargo build --locked --quiet
BIN="$ROOT/target/debug/mailintake"

WORK="$ROOT/demo/work"
if [ -d "$WORK/stack" ]; then bash tests/mailstack.sh stop "$WORK/stack" || true; fi
rm -rf "$WORK"
mkdir -p "$WORK"
eval "$(bash tests/mailstack.sh start "$WORK/stack")"
DAEMON_PID=""
cleanup() {
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  bash "$ROOT/tests/mailstack.sh" stop "$WORK/stack"
}
trap cleanup EXIT

TEAM=ldwg@example.org
cp deploy/questions.example.toml "$WORK/questions.toml"
cat >"$WORK/mailintake.toml" <<EOF
[intake]
address = "$TEAM"
name = "Leadership Development Working Group"
questions = "questions.toml"
poll_seconds = 1

[imap]
host = "127.0.0.1"
port = $IMAP_PORT
security = "none"
username = "$TEAM"
password = "$PASSWORD"

[smtp]
host = "127.0.0.1"
port = $SMTP_PORT
security = "none"

[database]
url = "sqlite://intake.db"
EOF

"$BIN" --config "$WORK/mailintake.toml" check
"$BIN" --config "$WORK/mailintake.toml" run 2>"$WORK/mailintake.log" &
DAEMON_PID=$!
echo "demo: mailintake is running (log: $WORK/mailintake.log)"

send() { # from file
  swaks --silent 2 --server "127.0.0.1:$SMTP_PORT" --from "$1" --to "$TEAM" --data "@$2" >/dev/null
}

count() { find "$MAIL_DIR/$1/Maildir/new" "$MAIL_DIR/$1/Maildir/cur" -type f 2>/dev/null | wc -l; }

wait_mail() { # address count
  for _ in $(seq 1 300); do
    [ "$(count "$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  echo "demo: $1 did not get mail $2; daemon log:" >&2
  cat "$WORK/mailintake.log" >&2
  exit 1
}

# The Message-ID of the newest mail an applicant received.
last_id() {
  local f
  f=$(ls -t "$MAIL_DIR/$1/Maildir/new/"* "$MAIL_DIR/$1/Maildir/cur/"* 2>/dev/null | head -n1)
  grep -i -m1 '^Message-ID:' "$f" | sed 's/^[^<]*//; s/[[:space:]]*$//'
}

first_mail() { # from name subject file
  cat >"$4" <<EOF
From: $2 <$1>
To: $TEAM
Subject: $3
Message-ID: <$(date +%s%N).$RANDOM@applicant.example.net>
Date: $(date -R)
Content-Type: text/plain; charset=utf-8

Hello, I would like to apply to the working group. What do you need from me?

$2
EOF
}

echo "demo: Ada and Bob write to $TEAM"
first_mail ada@example.net "Ada Lovelace" "Application" "$WORK/ada1.eml"
first_mail bob@example.net "Bob" "Joining the LDWG" "$WORK/bob1.eml"
send ada@example.net "$WORK/ada1.eml"
send bob@example.net "$WORK/bob1.eml"
wait_mail ada@example.net 1
wait_mail bob@example.net 1
echo "demo: both got the questions"

cat >"$WORK/ada2.eml" <<EOF
From: Ada Lovelace <ada@example.net>
To: $TEAM
Subject: Re: Application
Message-ID: <$(date +%s%N).ada2@applicant.example.net>
In-Reply-To: $(last_id ada@example.net)
References: $(last_id ada@example.net)
Date: $(date -R)
Content-Type: text/plain; charset=utf-8

1. Ada Lovelace
2. europe
3. I edit English Wikipedia and help run the Wikimedia UK
   mentoring programme.
4. English, French
5. I want to help new organisers find their feet.

   Leadership grows when it is shared.
6. I have run six workshops for new editors.
7. yes
8. A friend on the village pump

Best,
Ada

On $(date -R), Leadership Development Working Group <$TEAM> wrote:
> Hello Ada Lovelace,
> (the questions were here)
EOF
send ada@example.net "$WORK/ada2.eml"

cat >"$WORK/bob2.eml" <<EOF
From: Bob <bob@example.net>
To: $TEAM
Subject: Re: Joining the LDWG
Message-ID: <$(date +%s%N).bob2@applicant.example.net>
In-Reply-To: $(last_id bob@example.net)
Date: $(date -R)
Content-Type: text/plain; charset=utf-8

1) Bob
2) Antarctica

Sent from my phone
EOF
send bob@example.net "$WORK/bob2.eml"

cat >"$WORK/ooo.eml" <<EOF
From: Carol <carol@example.net>
To: $TEAM
Subject: Out of office: Joining the LDWG
Message-ID: <$(date +%s%N).ooo@applicant.example.net>
Auto-Submitted: auto-replied
Date: $(date -R)
Content-Type: text/plain; charset=utf-8

I am away until Monday.
EOF
send carol@example.net "$WORK/ooo.eml"

wait_mail ada@example.net 2
wait_mail bob@example.net 2
sleep 2
echo "demo: Ada got a confirmation, Bob a reply naming what is missing; the out-of-office got nothing ($(count carol@example.net) mails)"

"$BIN" --config "$WORK/mailintake.toml" report --format html --output "$WORK/report.html"
"$BIN" --config "$WORK/mailintake.toml" report --format csv --output "$WORK/report.csv"
echo
echo "HTML report: $WORK/report.html"
echo "CSV report:  $WORK/report.csv"
echo "Mail each applicant received: $MAIL_DIR/<address>/Maildir"
echo
echo "JSON report:"
"$BIN" --config "$WORK/mailintake.toml" report --format json
echo
