#!/usr/bin/env bash
# Installs everything vipkeeper and its tests need on a fresh Debian machine, as root:
# the Debian packages (peers, tools, the VM for IPVS tests), then the npm dependencies and the build.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
pkgs=(
  iproute2 iputils-ping kmod procps psmisc              # ip netns/link/addr, modprobe, ps/pkill
  python3 make g++                         # node-gyp builds the socket addon
  keepalived ipvsadm tcpdump iputils-arping  # real peers and observers for interop tests
  nftables                                 # no_accept / vrrp_strict drop traffic to the VIPs with nft
  qemu-system-x86 busybox-static cpio      # the IPVS test VM
  stress-ng                                # load for the timing benchmark
  bird2 frr                                # routing daemons for the scale-out (announcement) tests
  openssl                                  # self-signed certificates for the HTTPS/gRPC checker tests
)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# keepalived is a test peer here, never a service of this machine.
for svc in keepalived bird frr; do systemctl disable --now "$svc" >/dev/null 2>&1 || true; done
pkill -x keepalived 2>/dev/null || true
# The routing daemons are test peers started inside namespaces, never services of this machine.
pkill -x bird 2>/dev/null || true
pkill -f /usr/lib/frr/ 2>/dev/null || true
npm ci
