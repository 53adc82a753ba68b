// vipkeeper's runtime in-process (the same pieces `vipkeeper run` composes), for reliability tests
// that need the instances' counters. Run inside a namespace:
//   ip netns exec NS node --import tsx test/reliability/support/vk-node.ts CONF
// stdout: one JSON object per line: {event:'started'}, {event:'transition', ...} and, for each
// "counters" line read on stdin, {event:'counters', instances: {NAME: {...counters}}}. "stop" on
// stdin or SIGTERM: orderly stop (priority-0 advert, VIPs removed), then exit 0.
import { createInterface } from 'node:readline';
import { loadConfig, formatDiagnostic } from '../../../src/config/load.js';
import { composePlatform, makeLogger } from '../../../src/app/compose.js';
import { Runtime } from '../../../src/app/runtime.js';

const out = (o: Record<string, unknown>): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };
const file = process.argv[2];
if (!file) { console.error('usage: vk-node.ts CONF'); process.exit(2); }
const r = await loadConfig(file);
if (!r.model) { console.error(r.diagnostics.map(formatDiagnostic).join('\n')); process.exit(1); }
const log = makeLogger((process.env.VK_LOG_LEVEL ?? 'silent') as 'silent');
const platform = await composePlatform(log);
const rt = new Runtime(platform, r.model);
rt.vrrp.onTransition((t) => out({ event: 'transition', at: Date.now(), ...t }));
rt.start();
out({ event: 'started', pid: process.pid, instances: rt.vrrp.instanceNames });

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await rt.stop(500);
  platform.close();
  out({ event: 'stopped' });
  setTimeout(() => process.exit(0), 20);
};
process.on('SIGTERM', () => void stop());
createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'counters') {
    const instances: Record<string, unknown> = {};
    for (const name of rt.vrrp.instanceNames) {
      const i = rt.vrrp.instance(name)!;
      // Drops by the transport's kernel filter (when it has one), read from the instance's transport.
      const tr = (i as unknown as { deps?: { transport?: { kernelDrops?: () => Record<string, number> } } }).deps?.transport;
      instances[name] = { state: i.state, ...i.counters, kernel: tr?.kernelDrops?.() ?? null };
    }
    out({ event: 'counters', instances });
  } else if (cmd === 'stop') void stop();
});
