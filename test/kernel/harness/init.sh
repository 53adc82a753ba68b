#!/bin/sh
# /init of the test VM (busybox sh, PID 1): mount the basics, load IPVS, bring up lo, run the
# command the host passed through fw_cfg, print the exit marker, power off. Never returns.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mkdir -p /proc /sys /dev /tmp /run /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# Kernel chatter (module loads, IPVS banners) would interleave with test output on the console.
dmesg -n 1
hostname vk-vm
ip link set lo up
for m in $(cat /etc/vk/modules); do
  modprobe "$m" || echo "vm init: modprobe $m failed" >&2
done
fw=/sys/firmware/qemu_fw_cfg/by_name/opt/vipkeeper
nonce=$(cat "$fw/nonce/raw" 2>/dev/null)
echo "VIPKEEPER-VM-READY $(cut -d' ' -f1 /proc/uptime)"
cd /project
node /vk/launch.mjs "$fw/run/raw"
status=$?
# The marker starts on a line of its own even when the output did not end with a newline.
printf '\nVIPKEEPER-VM-EXIT %s %s\n' "$nonce" "$status"
sync
# Let the UART drain before the kernel prints its own power-down line, which could otherwise land
# in the middle of the marker (seen once under TCG).
sleep 1
poweroff -f
