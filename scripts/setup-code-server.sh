#!/usr/bin/env bash
# Installs code-server (a real VS Code, served to a browser) and Debian's Chromium for the VS Code extension's
# integration tests, into a cache folder outside the repo, only when missing. Prints the code-server executable.
# code-server 4.100.3 (VS Code 1.100.3) is the newest release that runs on Node 20. Fails (does not skip) when it
# cannot install: the integration tests must not pass without a VS Code.
set -euo pipefail
VERSION=4.100.3
CACHE="${RADPROBE_CI_CACHE:-$HOME/.cache/radprobe-ci}"
DEST="$CACHE/code-server-$VERSION"
BIN="$DEST/node_modules/.bin/code-server"
if [ -x "$BIN" ] && command -v chromium >/dev/null 2>&1; then echo "$BIN"; exit 0; fi

# Native modules of VS Code's server build against these; ripgrep and chromium are used as they are.
PACKAGES="build-essential pkg-config libx11-dev libxkbfile-dev libsecret-1-dev libkrb5-dev ripgrep chromium"
# shellcheck disable=SC2086 # PACKAGES is a list of package names.
bash "$(dirname "$0")/apt-install.sh" setup-code-server $PACKAGES >&2

if [ ! -x "$BIN" ]; then
  # @vscode/ripgrep would download its binary from GitHub; hand it Debian's instead, where it looks first.
  RG_CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$RG_CACHE"
  [ -f "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ] ||
    tar czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
  rm -rf "$DEST.partial"
  mkdir -p "$DEST.partial"
  LOG="$CACHE/code-server-install.log"
  if ! (cd "$DEST.partial" && echo '{"private":true}' >package.json &&
        npm_config_yes=true npm_config_unsafe_perm=true npm install "code-server@$VERSION" --no-audit --no-fund --loglevel=error) >"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    echo "setup-code-server: npm install code-server@$VERSION failed (log: $LOG)" >&2
    exit 1
  fi
  # Moved into place only when complete, so that a broken install is never taken for a finished one.
  rm -rf "$DEST"
  mv "$DEST.partial" "$DEST"
fi
echo "$BIN"
