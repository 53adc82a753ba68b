// The raw-socket VRRP transport adapter between two namespaces: TTL 255 on the wire, VRID demux
// on a shared socket, and drain() returning what is already queued. Runs the adapter in a child
// process inside the namespace (a process cannot enter a namespace for one socket only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { Lan } from '../../support/netns.js';
import { sleep, waitFor } from './support.js';

const probe = `
import { RawVrrpTransports } from '${process.cwd()}/src/adapters/vrrp-transport.js';
import { Rtnl } from '${process.cwd()}/src/net/rtnl.js';
import { RtnlLinks } from '${process.cwd()}/src/adapters/links.js';
import { silentLogger } from '${process.cwd()}/src/ports/logger.js';
import { parseIP, formatIP } from '${process.cwd()}/src/lib/ip.js';
import { existsSync } from 'node:fs';
const [role, src, flag] = process.argv.slice(2);
const rtnl = Rtnl.open();
const links = await RtnlLinks.open(rtnl);
const f = new RawVrrpTransports((n) => links.ifindex(n), silentLogger);
const group = parseIP('224.0.0.18').addr;
const t51 = f.open({ ifname: 'eth0', family: 4, vrid: 51, src: parseIP(src).addr, group });
const t52 = f.open({ ifname: 'eth0', family: 4, vrid: 52, src: parseIP(src).addr, group });
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
if (role === 'send') {
  for (const vrid of [51, 52, 51]) t51.send(Uint8Array.of(0x31, vrid, 100, 0, 0, 100, 0, 0), group);
  say({ sent: 3 });
  setTimeout(() => process.exit(0), 200);
} else {
  t52.onReceive((d) => say({ on: 52, vrid: d.payload[1], ttl: d.ttl, src: formatIP(d.src), dst: formatIP(d.dst) }));
  t51.onReceive((d) => say({ on: 51, via: 'event', vrid: d.payload[1] }));
  say({ ready: true });
  // Block the event loop (nothing is read) until the sender is done, then drain synchronously.
  const until = Date.now() + 20000; while (!existsSync(flag) && Date.now() < until) { /* busy */ }
  for (const d of t51.drain()) say({ on: 51, via: 'drain', vrid: d.payload[1], ttl: d.ttl });
  setTimeout(() => process.exit(0), 300);
}
`;

test('raw VRRP transport: TTL 255, VRID demux on one socket, drain of queued packets', { timeout: 30_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const lan = new Lan();
  const dir = mkdtempSync(join(tmpdir(), 'vk-tr-'));
  try {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const b = lan.addHost('b', ['10.9.0.2/24']);
    const file = join(dir, 'probe.mts');
    writeFileSync(file, probe);
    const flag = join(dir, 'sent');
    const rx = b.spawn(process.execPath, ['--import', 'tsx', file, 'recv', '10.9.0.2', flag], { cwd: process.cwd() });
    let out = '';
    rx.stdout!.on('data', (d) => { out += d; });
    rx.stderr!.on('data', (d) => { out += d; });
    assert.ok(await waitFor(() => out.includes('"ready"'), 15_000), out);
    const tx = a.spawn(process.execPath, ['--import', 'tsx', file, 'send', '10.9.0.1'], { cwd: process.cwd() });
    let txOut = '';
    tx.stdout!.on('data', (d) => { txOut += d; });
    tx.stderr!.on('data', (d) => { txOut += d; });
    assert.ok(await waitFor(() => txOut.includes('"sent"'), 15_000), txOut);
    await sleep(100);
    writeFileSync(flag, '');
    await new Promise((r) => rx.once('exit', r));
    await sleep(10);
    const lines = out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const drained = lines.filter((l) => l.via === 'drain');
    const for52 = lines.filter((l) => l.on === 52);
    assert.deepEqual(drained.map((l) => [l.vrid, l.ttl]), [[51, 255], [51, 255]], `${out}\n${txOut}`);
    assert.deepEqual(for52.map((l) => [l.vrid, l.ttl, l.src, l.dst]), [[52, 255, '10.9.0.1', '224.0.0.18']], 'the VRID 52 packet went to its own transport during the drain');
    assert.equal(lines.filter((l) => l.via === 'event').length, 0);
  } finally {
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
