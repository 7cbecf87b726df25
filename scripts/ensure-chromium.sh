#!/usr/bin/env bash
# The report tests render report.html in a real headless Chromium (Debian's package: playwright cannot download
# browsers offline). Install it when it is missing and we can; otherwise say how.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
exec bash "$(dirname "$0")/apt-install.sh" "the report tests" chromium
