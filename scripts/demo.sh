#!/usr/bin/env bash
# The quick-start demo, as root: three throwaway hosts on a bridge (two directors and a client,
# each in its own network namespace), vipkeeper on both directors with conf/demo/director-{a,b}.conf.
# It shows the election, a graceful failover (SIGTERM on the master), the preemption when the
# master comes back, and the client's ARP entry following the VIP. Everything is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }
[ -f dist/cli.js ] || npm run build >/dev/null

tag="$$"
br="vkdemo-br-$tag"; A="vkdemo-a-$tag"; B="vkdemo-b-$tag"; C="vkdemo-c-$tag"
VIP=10.99.0.100
logdir=$(mktemp -d /tmp/vipkeeper-demo.XXXXXX)
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for ns in "$A" "$B" "$C" "$br"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

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
  for ns in "$A" "$B"; do inns "$ns" ip -o addr show dev eth0 | grep -q " $VIP/" && { [ "$ns" = "$A" ] && echo a || echo b; }; done
}
wait_holder() { # wait until exactly the given director holds the VIP
  for _ in $(seq 1 100); do [ "$(holder | tr '\n' ' ')" = "$1 " ] && return 0; sleep 0.1; done
  echo "demo: VIP did not move to director $1 (holders: $(holder | tr '\n' ' '))" >&2; exit 1
}
start() {
  # Both directors share this host's filesystem: one control socket each.
  ip netns exec "$1" node dist/cli.js run -f "conf/demo/director-$2.conf" --control-socket "$logdir/$2.sock" --log-level info >>"$logdir/$2.log" 2>&1 &
  pids+=($!)
  eval "pid_$2=$!"
}
client_sees() {
  inns "$C" ping -c 1 -W 1 "$VIP" >/dev/null
  local m; m=$(inns "$C" ip neigh show "$VIP" | awk '{print $5}')
  echo "client: ping $VIP ok, its ARP entry says $VIP is at $m (director a is $(mac "$A"), b is $(mac "$B"))"
}

say "director a (priority 150) and director b (priority 100) start"
start "$A" a; start "$B" b
wait_holder a; client_sees

say "SIGTERM to director a: it sends priority 0, b takes over after Skew_Time"
t0=$(date +%s%N); kill -TERM "$pid_a"; wait "$pid_a" || true
wait_holder b; t1=$(date +%s%N)
echo "VIP on director b after $(( (t1 - t0) / 1000000 )) ms"; client_sees

say "director a comes back and preempts"
start "$A" a; wait_holder a; client_sees

say "state transitions logged by the daemons (pino JSON, see $logdir)"
for who in a b; do grep -h '"to"' "$logdir/$who.log" | sed "s/^/$who /"; done | node -e '
  const rows = require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => [l[0], JSON.parse(l.slice(2))]);
  rows.sort((x, y) => (x[1].time < y[1].time ? -1 : 1));
  for (const [who, l] of rows) console.log(String(l.time).slice(11, 23), "director", who, l.instance, l.from, "->", l.to, `(${l.reason})`);' || true
say "done; namespaces removed"
