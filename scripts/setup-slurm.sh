#!/usr/bin/env bash
# Starts a real one-node SLURM cluster (Debian's slurm-wlm 22.05 and munge) for the scale-out tests, in a folder of
# the caller's own, without systemd: installs the packages when missing, writes slurm.conf and a munge key there,
# starts munged, slurmctld and slurmd in the background and waits until the node takes jobs.
#
#   scripts/setup-slurm.sh DIR
#
# Everything the cluster writes (state, spool, logs, pid files, munge socket and key) stays under DIR, and the
# ports are picked free, so two clusters on one machine do not meet. Prints `NAME=VALUE` lines on stdout:
# SLURM_CONF (what sbatch, squeue and scontrol need in their environment) and the PIDs of the three daemons, which
# the caller stops (SIGTERM) when done. Fails (does not skip) when it cannot install or start: the SLURM test must
# not pass without a SLURM.
set -euo pipefail
DIR="${1:?usage: setup-slurm.sh DIR}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

bash "$(dirname "$0")/apt-install.sh" setup-slurm slurm-wlm munge

# munged runs as the munge user, wants its key and folder to be its own, and requires every folder above its socket
# to be open to all (execute): say so rather than let it fail later with a message about its log file.
chmod 0755 "$DIR"
ancestor="$DIR"
while [ "$ancestor" != / ]; do
  ancestor="$(dirname "$ancestor")"
  if [ "$(( $(stat -c '0%a' "$ancestor") & 1 ))" = 0 ]; then
    echo "setup-slurm: munged needs every folder above $DIR open to all, and $ancestor is not (chmod o+x $ancestor, or use another folder)" >&2
    exit 1
  fi
done
MUNGE="$DIR/munge"
install -d -o munge -g munge -m 0755 "$MUNGE"
dd if=/dev/urandom of="$MUNGE/munge.key" bs=1024 count=1 status=none
chown munge:munge "$MUNGE/munge.key"
chmod 0400 "$MUNGE/munge.key"
mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log"

# The port is written as plain text: console.log would colour a number when FORCE_COLOR is set (Nx sets it for tasks).
free_port() {
  node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { process.stdout.write(s.address().port + '\\n'); s.close(); });"
}
CTLD_PORT="$(free_port)"
SLURMD_PORT="$(free_port)"
while [ "$SLURMD_PORT" = "$CTLD_PORT" ]; do SLURMD_PORT="$(free_port)"; done

HOST="$(hostname -s)"
# slurmd -C prints the node's real CPUs and memory; a node line that claims more makes the node invalid.
NODE_LINE="$(slurmd -C | grep '^NodeName=' | sed -e 's/ UpTime=.*//')"
cat >"$DIR/slurm.conf" <<EOF
ClusterName=radprobe-test
SlurmctldHost=$HOST
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
MailProg=/bin/true
# Finished jobs stay visible to scontrol for 5 minutes: without accounting, that is all there is to ask.
MinJobAge=300
$NODE_LINE State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$DIR/slurm.conf"

# setsid: the daemons outlive this script in a session of their own; the caller stops them by PID.
runuser -u munge -- munged --socket="$MUNGE/munge.socket" --key-file="$MUNGE/munge.key" \
  --pid-file="$MUNGE/munged.pid" --log-file="$MUNGE/munged.log" --seed-file="$MUNGE/munged.seed"
for _ in $(seq 50); do [ -s "$MUNGE/munged.pid" ] && break; sleep 0.1; done
MUNGED_PID="$(cat "$MUNGE/munged.pid")"
munge --socket="$MUNGE/munge.socket" -n | unmunge --socket="$MUNGE/munge.socket" >/dev/null

setsid slurmctld -D -i -f "$SLURM_CONF" >>"$DIR/log/slurmctld.out" 2>&1 </dev/null &
CTLD_PID=$!
setsid slurmd -D -f "$SLURM_CONF" >>"$DIR/log/slurmd.out" 2>&1 </dev/null &
SLURMD_PID=$!

started=""
for _ in $(seq 150); do
  if [ "$(sinfo -h -n "$HOST" -o '%t' 2>/dev/null)" = "idle" ]; then started=yes; break; fi
  if ! kill -0 "$CTLD_PID" 2>/dev/null || ! kill -0 "$SLURMD_PID" 2>/dev/null; then break; fi
  sleep 0.2
done
if [ -z "$started" ]; then
  echo "setup-slurm: the node did not become idle within 30 s; logs in $DIR/log:" >&2
  tail -n 20 "$DIR/log/"* >&2 || true
  kill "$SLURMD_PID" "$CTLD_PID" "$MUNGED_PID" 2>/dev/null || true
  exit 1
fi
echo "SLURM_CONF=$SLURM_CONF"
echo "MUNGED_PID=$MUNGED_PID"
echo "SLURMCTLD_PID=$CTLD_PID"
echo "SLURMD_PID=$SLURMD_PID"
