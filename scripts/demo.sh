#!/usr/bin/env bash
# The quick-start demo (`npm run demo`), as root. Two parts:
#
# 1. VRRP, on this host: three throwaway hosts on a bridge (two directors and a client, each in its
#    own network namespace), vipkeeper on both directors with conf/demo/director-{a,b}.conf: the
#    election, a graceful failover (SIGTERM on the master), the preemption when the master comes
#    back, and the client's ARP entry following the VIP.
# 2. The director (scripts/demo-director.mjs): two directors, two real servers, a sorry server and
#    a client in namespaces, LVS-NAT with HTTP_GET checks (conf/demo/director-{a,b}-lvs.conf): the
#    client balanced over r1 and r2 through the VIP, the master crashes and the backup takes over
#    (timed), a real server fails and leaves the pool, both fail and the sorry server answers.
#    It needs IPVS: where this kernel has none, it runs inside the kernel test VM
#    (test/kernel/harness: Debian's cloud kernel under qemu), and says so; the VM then boots in
#    the background while part 1 runs, and its output is shown after part 1.
#
# `vipkeeper status` is shown at each step. Everything is removed on exit, Ctrl-C included; the
# logs are kept (and their directory named) only when a step failed. Exit 0 when every step did
# what it says. VIPKEEPER_DEMO_VM_TIMEOUT (seconds, default 170) bounds the VM.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }

t_start=$(date +%s)
tag="$$"
br="vkdemo-br-$tag"; A="vkdemo-a-$tag"; B="vkdemo-b-$tag"; C="vkdemo-c-$tag"
VIP=10.99.0.100
logdir=$(mktemp -d /tmp/vipkeeper-demo.XXXXXX)
vm_cache="${VIPKEEPER_VM_CACHE:-.cache/vm}"
pids=()
part2_pid=""
tail_pid=""
keep_logs=0

cleanup() {
  set +e
  # The director part runs in its own session (its own process group): end the whole group,
  # which holds the VM harness and qemu (or demo-director.mjs and its daemons).
  if [ -n "$part2_pid" ] && kill -0 "$part2_pid" 2>/dev/null; then
    kill -TERM -- "-$part2_pid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$part2_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$part2_pid" 2>/dev/null
    # The harness's per-run command file, left when it is killed before it can remove it.
    rm -f "$vm_cache/run-$part2_pid-"*.json
  fi
  [ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for ns in "$A" "$B" "$C" "$br"; do ip netns del "$ns" 2>/dev/null; done
  if [ "$keep_logs" = 1 ]; then echo "demo: logs kept in $logdir" >&2; else rm -rf "$logdir"; fi
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted, cleaning up" >&2; exit 130' INT
trap 'echo "demo: terminated, cleaning up" >&2; exit 143' TERM
trap 'exit 129' HUP

if [ -t 1 ]; then say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }; color=1; else say() { printf '\n== %s\n' "$*"; }; color=0; fi
fail() { echo "demo: FAILED: $*" >&2; keep_logs=1; exit 1; }
inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Part 2 runs in a session of its own, so that cleanup() can end it with everything it started
# (the harness does not stop qemu when it is killed by a signal), its output kept in a file and
# shown after part 1. Without IPVS here, the VM starts at once: it boots (it transpiles src/ itself)
# while this host builds dist/ and shows part 1.
if [ -e /proc/net/ip_vs ] || modprobe -q ip_vs 2>/dev/null; then ipvs_here=1; else ipvs_here=0; fi
start_part2() { # $1: the file for its output (created first: tail follows it at once)
  : >"$1"
  if [ "$ipvs_here" = 1 ]; then
    DEMO_COLOR=$color setsid node scripts/demo-director.mjs >"$1" 2>&1 &
  else
    setsid node test/kernel/harness/run.mjs -t "${VIPKEEPER_DEMO_VM_TIMEOUT:-170}" -e "DEMO_COLOR=$color" -- node scripts/demo-director.mjs >"$1" 2>&1 &
  fi
  part2_pid=$!
}
if [ "$ipvs_here" = 0 ]; then
  echo "demo: this kernel has no IPVS: the kernel test VM boots in the background for part 2"
  start_part2 "$logdir/part2-1.out"
fi

# dist/ must be the current source: build when it is missing or older than any file of src/.
if [ ! -f dist/cli.cjs ] || [ -n "$(find src -newer dist/cli.cjs -print -quit)" ]; then
  say "building dist/ (npm run build)"
  if ! out=$(npm run build 2>&1); then
    printf '%s\n' "$out" | tail -n 20 >&2
    [ -f dist/cli.cjs ] || fail "npm run build failed"
    echo "demo: npm run build reported errors (above); going on with the JavaScript it emitted" >&2
  fi
fi

say "part 1, VRRP on this host: director a (priority 150) and director b (priority 100) start"
ip netns add "$br"
inns "$br" ip link add br0 type bridge forward_delay 0
inns "$br" ip link set br0 up
n=1
for ns in "$A" "$B" "$C"; do
  ip netns add "$ns"
  ip link add "vkd$n-$tag" netns "$ns" type veth peer name "vkp$n-$tag" netns "$br"
  inns "$ns" ip link set "vkd$n-$tag" name eth0
  inns "$ns" ip link set lo up
  inns "$ns" ip addr add "10.99.0.$n/24" dev eth0
  inns "$ns" ip link set eth0 up
  inns "$br" ip link set "vkp$n-$tag" master br0 up
  n=$((n + 1))
done
mac() { inns "$1" cat /sys/class/net/eth0/address; }
holder() {
  for ns in "$A" "$B"; do
    if inns "$ns" ip -o addr show dev eth0 | grep -q " $VIP/"; then
      if [ "$ns" = "$A" ]; then echo a; else echo b; fi
    fi
  done
}
wait_holder() { # wait until exactly the given director holds the VIP
  for _ in $(seq 1 100); do [ "$(holder | tr '\n' ' ')" = "$1 " ] && return 0; sleep 0.1; done
  fail "VIP did not move to director $1 (holders: $(holder | tr '\n' ' '))"
}
start() {
  # Both directors share this host's filesystem: one control socket each.
  ip netns exec "$1" node dist/cli.cjs run -f "conf/demo/director-$2.conf" --control-socket "$logdir/$2.sock" --log-level info >>"$logdir/$2.log" 2>&1 &
  pids+=("$!")
  eval "pid_$2=\$!"
}
status() { # vipkeeper status of one director, once its control socket answers
  echo "\$ vipkeeper status    (on director $1)"
  local out
  for _ in $(seq 1 50); do
    if out=$(node dist/cli.cjs status --control-socket "$logdir/$1.sock" 2>&1); then printf '%s\n' "$out" | sed 's/^/  /'; return 0; fi
    sleep 0.1
  done
  fail "vipkeeper status on director $1: $out"
}
client_sees() {
  inns "$C" ping -c 1 -W 1 "$VIP" >/dev/null || fail "the client cannot ping $VIP"
  local m; m=$(inns "$C" ip neigh show "$VIP" | awk '{print $5}')
  echo "client: ping $VIP ok, its ARP entry says $VIP is at $m (director a is $(mac "$A"), b is $(mac "$B"))"
}

start "$A" a; start "$B" b
wait_holder a; client_sees
status a

say "SIGTERM to director a: it sends priority 0, b takes over after Skew_Time"
t0=$(date +%s%N); kill -TERM "$pid_a"; wait "$pid_a" || true
wait_holder b; t1=$(date +%s%N)
echo "VIP on director b after $(( (t1 - t0) / 1000000 )) ms"; client_sees
status b

say "director a comes back and preempts"
start "$A" a; wait_holder a; client_sees
status a

say "state transitions logged by the daemons (pino JSON)"
for who in a b; do grep -h '"to"' "$logdir/$who.log" | sed "s/^/$who /"; done | node -e '
  const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => [l[0], JSON.parse(l.slice(2))]);
  rows.sort((x, y) => (x[1].time < y[1].time ? -1 : 1));
  for (const [who, l] of rows) console.log(String(l.time).slice(11, 23), "director", who, l.instance, l.from, "->", l.to, `(${l.reason})`);' || true
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
for ns in "$A" "$B" "$C" "$br"; do ip netns del "$ns" 2>/dev/null || true; done
pids=()
echo "part 1 done: namespaces removed"

if [ "$ipvs_here" = 1 ]; then
  say "part 2, the director: this kernel has IPVS, the director part runs on this host, in namespaces"
else
  say "part 2, the director: this kernel has no IPVS: the director part runs in the kernel VM"
  echo "(test/kernel/harness boots Debian's cloud kernel under qemu with the project at /project; the VRRP part above ran on this host)"
fi
for attempt in 1 2; do
  out="$logdir/part2-$attempt.out"
  [ -n "$part2_pid" ] || start_part2 "$out"
  tail -n +1 -f --pid="$part2_pid" "$out" &
  tail_pid=$!
  rc=0
  wait "$part2_pid" || rc=$?
  part2_pid=""
  wait "$tail_pid" || true
  tail_pid=""
  # The VM harness shares its image cache with other runs; when it failed before the demo even
  # started (e.g. a layer removed by a concurrent run), one more try.
  if [ "$rc" != 0 ] && [ "$attempt" = 1 ] && [ "$ipvs_here" = 0 ] && ! grep -q 'director part: LVS-NAT' "$out"; then
    echo "demo: the VM harness failed (status $rc) before the director part started: once more"
    continue
  fi
  break
done
[ "$rc" = 0 ] || fail "the director part exited with status $rc"

say "demo finished in $(( $(date +%s) - t_start )) s: everything it created is removed"
