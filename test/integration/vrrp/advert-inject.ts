// Run inside a test namespace: sends a VRRP packet to 224.0.0.18 on eth0 (TTL 255) for each line
// of hex read from stdin, and prints "sent" after each. Started ahead of time, so a test can
// inject at a moment it chooses (Node's start-up would otherwise add a second or more).
// usage: node --import tsx advert-inject.ts SRC_ADDR
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { RawSocket } from '../../../src/net/raw-socket.js';

const [src] = process.argv.slice(2);
if (!src) { console.error('usage: advert-inject.ts SRC_ADDR'); process.exit(2); }
// `ip netns exec` mounts the namespace's own /sys.
const ifindex = Number(readFileSync('/sys/class/net/eth0/ifindex', 'utf8'));
const s = RawSocket.open({ family: 4, protocol: 112 });
s.setMulticastInterface(ifindex, src);
s.setTtl(255);
console.log('ready');
const lines = createInterface({ input: process.stdin });
lines.on('line', (hex) => {
  if (!/^[0-9a-f]+$/i.test(hex)) { console.error(`not hex: ${hex}`); return; }
  s.send(Buffer.from(hex, 'hex'), '224.0.0.18');
  console.log('sent');
});
lines.on('close', () => s.close());
