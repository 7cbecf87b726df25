#!/usr/bin/env bash
# Installs the Debian packages a test needs when they are missing, for the scripts that set up real services and
# browsers (chromium, code-server's build packages, slurm-wlm, orthanc).
#   scripts/apt-install.sh WHAT PACKAGE...
# WHAT names the caller in messages. Test suites run in parallel and several may find packages missing at once:
# every install goes through one machine-wide lock, and each re-checks what is missing once it holds it (apt-get
# update and install would otherwise fail on apt's own locks). Package scripts are told not to start daemons: this
# machine has no systemd, and the tests start what they need by hand. Fails (does not skip) when it cannot install.
set -euo pipefail
WHAT="${1:?usage: apt-install.sh WHAT PACKAGE...}"
shift

missing() {
  local package list=""
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || list="$list $package"
  done
  echo "$list"
}

[ -n "$(missing "$@")" ] || exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "$WHAT: missing Debian packages:$(missing "$@") (install them: sudo apt-get install$(missing "$@"))" >&2
  exit 1
fi
exec 9>"/tmp/radprobe-apt-install.lock"
flock 9
MISSING="$(missing "$@")"
[ -n "$MISSING" ] || exit 0
echo "$WHAT: installing Debian's$MISSING (once)" >&2
LOG="$(mktemp -t radprobe-apt-XXXXXX.log)"
# Installs outside radprobe may hold apt's locks for a while: wait for them rather than fail.
APT="apt-get -o DPkg::Lock::Timeout=600"
POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY" && chmod +x "$POLICY"
  OWN_POLICY=1
fi
trap '[ -z "$OWN_POLICY" ] || rm -f "$POLICY"; rm -f "$LOG"' EXIT
# shellcheck disable=SC2086 # MISSING is a list of package names.
if ! { $APT update -qq && DEBIAN_FRONTEND=noninteractive $APT install -y -qq --no-install-recommends $MISSING; } >"$LOG" 2>&1; then
  tail -n 20 "$LOG" >&2
  echo "$WHAT: apt-get install$MISSING failed" >&2
  exit 1
fi
