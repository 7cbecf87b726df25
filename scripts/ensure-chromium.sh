#!/usr/bin/env bash
# The report tests render report.html in a real headless Chromium (Debian's package: playwright cannot download
# browsers offline). Install it when it is missing and we can; otherwise say how.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the report tests (about a minute, once)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
else
  echo "chromium is missing: install it (Debian/Ubuntu: sudo apt-get install chromium) for the report tests" >&2
  exit 1
fi
