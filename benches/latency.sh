#!/usr/bin/env bash
# Arrival to reply delivered on the real mail stack: IMAP IDLE, polling
# and fast polling, side by side in one run (see benches/latency.rs).
#
#   benches/latency.sh [MAILS] [POLL_SECONDS] [FAST_POLL_SECONDS]
#                                          defaults: 40, 10 and 0.1 (seconds)
#
# Needs root and the mail stack (./tests/run.sh installs it); builds with
# the release profile. Only one OpenSMTPD runs per machine: the run holds
# /tmp/mistack.lock, as the tests do.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then exec sudo -E env "PATH=$PATH" "$0" "$@"; fi
  echo "benches/latency.sh: starts Dovecot and OpenSMTPD and needs root" >&2
  exit 1
fi
exec flock /tmp/mistack.lock cargo bench --locked --bench latency -- "$@"
