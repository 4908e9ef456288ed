#!/usr/bin/env bash
# Runs every test: unit tests, golden tests and the end-to-end tests against
# a real Dovecot + OpenSMTPD that the test harness starts on loopback.
# Installs the mail stack, Chromium and strace (Debian packages) when missing. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then exec sudo -E env "PATH=$PATH" "$0" "$@"; fi
  echo "tests/run.sh: the end-to-end tests start Dovecot and OpenSMTPD and need root" >&2
  exit 1
fi

missing=()
for pkg in dovecot-imapd dovecot-lmtpd dovecot-submissiond opensmtpd openssl chromium fonts-liberation postgresql strace; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --locked "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole run: the sum over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "all tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
