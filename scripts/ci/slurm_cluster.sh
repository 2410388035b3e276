#!/usr/bin/env bash
# A throwaway one-node Slurm cluster on loopback (127.0.0.1) for CI and local testing of
# `deno task reproduce --executor slurm`. No systemd: munged, slurmctld and slurmd run as
# background processes of this script, with their own munge key, socket, config, state and
# logs under one directory, so nothing in /etc/munge, /etc/slurm or /run is used or changed.
#
# Usage: scripts/ci/slurm_cluster.sh install|start|stop|status|env
#   install  apt-get install Debian's slurmctld, slurmd, slurm-client and munge (needs root or
#            passwordless sudo); exits non-zero, naming the packages, if that fails
#   start    install if missing, then start munged, slurmctld and slurmd; returns once the node
#            accepts jobs. Then: eval "$(scripts/ci/slurm_cluster.sh env)"
#   stop     cancel every job, stop the three daemons this script started, delete the directory
#   status   scontrol ping + sinfo
#   env      prints `export SLURM_CONF=...` for the client commands (sbatch, squeue, scancel)
# Environment: DEGENERACY_SLURM_DIR (default ${TMPDIR:-/tmp}/degeneracy-slurm),
#   DEGENERACY_SLURM_PORT (slurmctld port, default 6817; slurmd uses the next one),
#   DEGENERACY_SLURM_KEEP=1 keeps the directory (logs) on stop,
#   DEGENERACY_SLURM_CPUS: CPUs the node offers (default: the machine's cores, `nproc`); more than
#   the machine has oversubscribes it (slurmd then trusts the configuration), which hides Slurm's
#   scheduling latency when the tasks are short, as in CI.
# The node offers 80 % of the machine's memory; jobs run as the user who started the cluster
# (SlurmUser = that user).
set -euo pipefail

DIR=${DEGENERACY_SLURM_DIR:-${TMPDIR:-/tmp}/degeneracy-slurm}
CTLD_PORT=${DEGENERACY_SLURM_PORT:-6817}
SLURMD_PORT=$((CTLD_PORT + 1))
NODE=localhost
PACKAGES=(slurmctld slurmd slurm-client munge)
CONF=$DIR/etc/slurm.conf
SOCKET=$DIR/munge/socket

say() { echo "slurm_cluster: $*" >&2; }
die() {
  say "$*"
  exit 1
}

# Polls `cmd` every 0.2 s for up to `seconds`; status 0 as soon as it succeeds.
poll() {
  local seconds=$1
  shift
  local i
  for ((i = 0; i < seconds * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

install_packages() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null ||
      die "installing ${PACKAGES[*]} needs root or passwordless sudo; install them and rerun"
    sudo=(sudo -n)
  fi
  say "installing ${PACKAGES[*]} (apt-get)"
  local log
  log=$(mktemp)
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 ||
    ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${PACKAGES[@]}" >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    die "could not install the Debian packages ${PACKAGES[*]} with apt-get (output above)"
  fi
  rm -f "$log"
  for b in munged slurmctld slurmd sbatch; do
    command -v "$b" >/dev/null || die "apt-get finished but '$b' is not on PATH"
  done
}

installed() {
  local b
  for b in munged munge slurmctld slurmd sbatch squeue scancel scontrol sinfo; do
    command -v "$b" >/dev/null || return 1
  done
}

write_config() {
  local cpus mem_mb user
  cpus=${DEGENERACY_SLURM_CPUS:-$(nproc)}
  [[ $cpus =~ ^[1-9][0-9]*$ ]] || die "DEGENERACY_SLURM_CPUS must be a positive integer, got '$cpus'"
  mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
  user=$(id -un)
  cat >"$CONF" <<EOF
# One-node cluster on loopback written by scripts/ci/slurm_cluster.sh; everything lives in $DIR.
ClusterName=degeneracy-ci
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups (containers rarely allow them): processes are tracked through /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
# Schedule immediately (CI waits on the scheduler, so its default intervals would dominate).
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,sched_interval=1,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
# Finished jobs stay visible to squeue -t all for 10 minutes.
MinJobAge=600
KillWait=5
MaxArraySize=1001
# Use the CPUs below even when the machine has fewer (DEGENERACY_SLURM_CPUS oversubscribes).
SlurmdParameters=config_overrides
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$NODE CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start_daemon() { # start_daemon <name> <command...>: runs it in the background, records its pid
  local name=$1
  shift
  "$@" >"$DIR/log/$name.out" 2>&1 &
  echo $! >"$DIR/run/$name.started"
}

start() {
  installed || install_packages
  if [ -f "$DIR/run/slurmctld.started" ] && kill -0 "$(cat "$DIR/run/slurmctld.started")" 2>/dev/null; then
    die "a cluster is already running from $DIR (stop it first: $0 stop)"
  fi
  if [ -e "$DIR" ] && [ ! -f "$DIR/.degeneracy-slurm" ] && [ -n "$(ls -A "$DIR")" ]; then
    die "$DIR exists and was not made by this script; set DEGENERACY_SLURM_DIR to a new directory"
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"/{etc,munge,key,state,spool,run,log}
  touch "$DIR/.degeneracy-slurm"
  # munged insists on: a socket directory others can traverse, and a key only its owner reads.
  local p=$DIR
  while [ "$p" != / ]; do
    chmod a+x "$p" 2>/dev/null || true
    p=$(dirname "$p")
  done
  chmod 755 "$DIR/munge"
  chmod 700 "$DIR/key"
  dd if=/dev/urandom of="$DIR/key/munge.key" bs=1024 count=1 status=none
  chmod 400 "$DIR/key/munge.key"
  write_config
  export SLURM_CONF=$CONF

  start_daemon munged munged --foreground --socket="$SOCKET" --key-file="$DIR/key/munge.key" \
    --pid-file="$DIR/run/munged.pid" --seed-file="$DIR/munge/seed" --log-file="$DIR/log/munged.log"
  poll 15 bash -c "munge --socket='$SOCKET' --no-input | unmunge --socket='$SOCKET'" || {
    cat "$DIR/log/munged.out" >&2
    die "munged did not start (log above)"
  }
  # -D: stay in the foreground (so the recorded pid is the daemon); -i: ignore old state.
  start_daemon slurmctld slurmctld -D -i -f "$CONF"
  poll 30 scontrol ping || {
    tail -n 20 "$DIR/log/slurmctld.log" "$DIR/log/slurmctld.out" >&2 || true
    die "slurmctld is not answering on 127.0.0.1:$CTLD_PORT (logs above)"
  }
  start_daemon slurmd slurmd -D -f "$CONF" -N "$NODE"
  poll 60 bash -c "sinfo --noheader --Node --nodes='$NODE' --format='%T' | grep -Eq '^(idle|mixed|allocated)'" || {
    sinfo --Node --long >&2 || true
    tail -n 20 "$DIR/log/slurmd.log" "$DIR/log/slurmd.out" >&2 || true
    die "the node never became idle (sinfo and slurmd log above)"
  }
  say "up: $(sinfo --noheader --format=%c) CPUs on node $NODE (127.0.0.1:$CTLD_PORT); export SLURM_CONF=$CONF"
}

stop_daemons() { # TERM the daemons we started, wait up to 15 s, then KILL the ones still alive
  local name pid pids=()
  for name in "$@"; do
    [ -f "$DIR/run/$name.started" ] || continue
    pid=$(cat "$DIR/run/$name.started")
    rm -f "$DIR/run/$name.started"
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  local i alive
  for ((i = 0; i < 75; i++)); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.2
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      say "pid $pid ignored SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

stop() {
  if [ -f "$DIR/run/slurmctld.started" ] && [ -f "$CONF" ]; then
    export SLURM_CONF=$CONF
    scancel --user="$(id -un)" 2>/dev/null || true
    poll 15 bash -c '[ -z "$(squeue --noheader --states=RUNNING,COMPLETING)" ]' || true
  fi
  stop_daemons slurmd slurmctld munged
  if [ "${DEGENERACY_SLURM_KEEP:-0}" = 1 ] || [ ! -f "$DIR/.degeneracy-slurm" ]; then
    say "stopped; logs kept in $DIR/log"
  else
    rm -rf "$DIR"
    say "stopped"
  fi
}

case "${1:-}" in
install) install_packages ;;
start) start ;;
stop) stop ;;
status)
  export SLURM_CONF=$CONF
  scontrol ping
  sinfo --Node --long
  ;;
env) echo "export SLURM_CONF=$CONF" ;;
*)
  echo "usage: $0 install|start|stop|status|env" >&2
  exit 2
  ;;
esac
