# shellcheck shell=bash
# Shared settings for the lab scripts: sourced, never run.
# Every address the lab uses lives here so that up, down, unbound-up and the docs agree.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN="$LAB_DIR/run"              # all run state; git-ignored; removed by lab/down
PIDS="$RUN/pids"                # one file per process we started: NAME.pid

# Authoritative servers (one nsd process each). Name -> address.
declare -A SERVER_ADDR=(
  [root1]=127.10.0.1    # a.root-servers.infra: the root zone "."
  [root2]=127.10.0.2    # b.root-servers.infra: the root zone "."
  [tld]=127.10.1.1      # ns1.lab, ns1.infra: the TLDs lab. and infra.
  [leaf]=127.10.2.1     # every second-level zone (children of lab. and infra.)
  [sub]=127.10.3.1      # third-level zones below an unsigned parent or an opt-out span
)
SERVER_ORDER=(root1 root2 tld leaf sub)
DEAD_ADDR=127.10.9.9    # listed as a name server of halfdead.lab; nothing ever listens here
MAMORI_ADDR=127.10.10.53
UNBOUND_ADDR=127.10.10.54

# Signature validity window for the good zones: explicit, so the bogus ones can be defined against it.
DAY=86400

# Stop one process we started, by the PID recorded in FILE; wait until it is gone.
# SIGTERM first (nsd and unbound shut down cleanly on it), SIGKILL only if it hangs.
stop_pidfile() {
  local file=$1 pid i
  [[ -s $file ]] || return 0
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "lab: pid $pid ($file) ignored SIGTERM for 10 s, sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

# Poll until ADDR answers QNAME/QTYPE with NOERROR, or give up after ~10 s. Extra args go to dig.
wait_answers() {
  local addr=$1 qname=$2 qtype=$3 i
  shift 3
  for ((i = 0; i < 50; i++)); do
    if dig +norec "$@" +time=1 +tries=1 @"$addr" "$qname" "$qtype" 2>/dev/null | grep -q 'status: NOERROR'; then
      return 0
    fi
    sleep 0.2
  done
  return 1
}
