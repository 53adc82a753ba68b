import { reconcile } from './src/ipvs/reconcile.js';
import { IpvsClient } from './src/ipvs/client.js';
import { encodeFamilyReply } from './src/codec/netlink/genl.js';
import { encodeMessage } from './src/codec/netlink/message.js';
const S=1000,D=10;
const vip = (i: number) => `10.100.${i >> 8}.${i & 255}`;
const rs = (i: number) => `10.200.${i >> 8}.${i & 255}`;
const desired: any[] = [];
for (let i = 0; i < S; i++) {
  const dests = [];
  for (let j = 0; j < D; j++) dests.push({ family: 4 as const, address: rs(i), port: 8000 + j, forward: 'masq' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 });
  desired.push({ family: 4 as const, protocol: 'tcp' as const, address: vip(i), port: 80, fwmark: 0, scheduler: 'wrr', flags: [], timeout: 0, netmask: 32, dests });
}
let bytes = 0;
const t = { async request(type: number, flags: number, payload: Uint8Array) { bytes += encodeMessage({ type, flags, seq: 1, pid: 0, payload }).length; if (type === 16) return [{ type: 16, flags: 0, seq: 1, pid: 0, payload: encodeFamilyReply({ id: 30, name: 'IPVS', version: 1, maxAttr: 6 }) }]; return []; }, close() {} };
const c = await IpvsClient.open(t);
for (let k = 0; k < 3; k++) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const ops = reconcile(desired, []);
  const t1 = performance.now();
  await c.apply(ops, { window: 32 });
  const t2 = performance.now();
  console.log({ reconcileMs: Math.round(t1 - t0), applyMs: Math.round(t2 - t1), cpuMs: Math.round((process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000), bytes });
}
