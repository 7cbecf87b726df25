#!/usr/bin/env bash
# Starts Debian's Orthanc with its DICOMweb plugin on 127.0.0.1 for the dicomweb dataset tests, installing the
# packages (orthanc, orthanc-dicomweb) only when missing. No systemd: Orthanc runs in the background with its
# storage, index and config in FOLDER (which the caller owns), and this script prints its PID and port as
# `PID PORT` once it answers. The caller stops it by that PID (SIGTERM).
#   setup-orthanc.sh FOLDER [USER:PASSWORD]
# With USER:PASSWORD every request must carry HTTP basic auth (the 401 tests). Fails (does not skip) when it cannot
# install or start: the tests must not pass without a real server.
set -euo pipefail
FOLDER="${1:?usage: setup-orthanc.sh FOLDER [USER:PASSWORD]}"
CREDENTIALS="${2:-}"
PLUGIN=/usr/share/orthanc/plugins/libOrthancDicomWeb.so

bash "$(dirname "$0")/apt-install.sh" setup-orthanc orthanc orthanc-dicomweb

mkdir -p "$FOLDER/storage" "$FOLDER/index"
# A free port: the kernel's choice for a socket bound to port 0, released just before Orthanc binds it; written as
# plain text (console.log would colour a number when FORCE_COLOR is set, as Nx sets it for tasks).
PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(`${s.address().port}\n`);s.close()})')"
AUTH='"AuthenticationEnabled": false'
if [ -n "$CREDENTIALS" ]; then
  AUTH="\"AuthenticationEnabled\": true, \"RegisteredUsers\": { \"${CREDENTIALS%%:*}\": \"${CREDENTIALS#*:}\" }"
fi
cat >"$FOLDER/orthanc.json" <<JSON
{
  "Name": "radprobe-test",
  "StorageDirectory": "$FOLDER/storage",
  "IndexDirectory": "$FOLDER/index",
  "HttpPort": $PORT,
  "RemoteAccessAllowed": false,
  $AUTH,
  "DicomServerEnabled": false,
  "Plugins": ["$PLUGIN"],
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" }
}
JSON
Orthanc "$FOLDER/orthanc.json" >"$FOLDER/orthanc.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  if ! kill -0 "$PID" 2>/dev/null; then
    tail -n 20 "$FOLDER/orthanc.log" >&2
    echo "setup-orthanc: Orthanc exited while starting (log: $FOLDER/orthanc.log)" >&2
    exit 1
  fi
  # Any HTTP answer (200, or 401 with authentication on) means it listens.
  if node -e 'fetch(process.argv[1]).then(() => process.exit(0), () => process.exit(1))' "http://127.0.0.1:$PORT/system"; then
    echo "$PID $PORT"
    exit 0
  fi
  sleep 0.1
done
kill "$PID"
echo "setup-orthanc: Orthanc did not answer on port $PORT within 10 s (log: $FOLDER/orthanc.log)" >&2
exit 1
