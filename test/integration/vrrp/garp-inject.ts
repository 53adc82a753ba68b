// Run inside a test namespace: sends one VRRP packet (hex, made by the test with the project's
// codec) to 224.0.0.18 on eth0 with TTL 255, as a router on that LAN would.
// usage: node --import tsx garp-inject.ts SRC_ADDR HEX
import { readFileSync } from 'node:fs';
import { RawSocket } from '../../../src/net/raw-socket.js';

const [src, hex] = process.argv.slice(2);
if (!src || !hex) { console.error('usage: garp-inject.ts SRC_ADDR HEX'); process.exit(2); }
// `ip netns exec` mounts the namespace's own /sys.
const ifindex = Number(readFileSync('/sys/class/net/eth0/ifindex', 'utf8'));
const s = RawSocket.open({ family: 4, protocol: 112 });
try {
  s.setMulticastInterface(ifindex, src);
  s.setTtl(255);
  s.send(Buffer.from(hex, 'hex'), '224.0.0.18');
} finally { s.close(); }
