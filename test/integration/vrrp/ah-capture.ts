// Re-creates test/fixtures/golden/vrrp/ah/v2_ah.pcap: Debian's keepalived as VRRPv2 master with
// `auth_type AH` on a veth in a throwaway namespace, captured with tcpdump on its peer, about 8 s,
// then SIGTERM so the capture ends with the priority-0 advertisement (like the other captures).
//
//   node --import tsx test/integration/vrrp/ah-capture.ts OUT.pcap [--unicast]
//
// keepalived refuses `state MASTER` with AH ("Initial state master is incompatible with AH
// authentication - clearing") and starts as BACKUP anyway, so the config says BACKUP: the first
// advertisement comes after Master_Down_Interval (about 3.2 s), hence 8 s rather than 6.
// Root only. Everything it creates (namespaces, bridge, veths, processes) goes in `finally`.
// --unicast adds a unicast_peer (10.9.0.2): keepalived then also zeroes the TTL in the ICV input,
// which the multicast form does not (see src/codec/vrrp-ah.ts).
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Lan } from '../../support/netns.js';
import { startDirector } from '../../support/directors.js';
import { sleep } from '../../support/wait.js';

export function ahConf(unicast: boolean): string {
  return [
    'global_defs {', '  router_id g', '  vrrp_version 2', '}',
    'vrrp_instance VI_1 {',
    '  state BACKUP', '  interface eth0', '  virtual_router_id 51', '  priority 200', '  advert_int 1',
    '  authentication {', '    auth_type AH', '    auth_pass secret', '  }',
    ...(unicast ? ['  unicast_src_ip 10.9.0.1', '  unicast_peer {', '    10.9.0.2', '  }'] : []),
    '  virtual_ipaddress {', '    10.9.0.100/24', '  }',
    '}', '',
  ].join('\n');
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: ah-capture.ts OUT.pcap [--unicast]');
  const unicast = process.argv.includes('--unicast');
  const lan = new Lan();
  const dir = mkdtempSync(join(tmpdir(), 'vk-ahcap-'));
  try {
    const a = lan.addHost('a', ['10.9.0.1/24']);
    const b = lan.addHost('b', ['10.9.0.2/24']);
    const pcap = join(dir, 'cap.pcap');
    const dump = b.spawn('tcpdump', ['-i', 'eth0', '-n', '-U', '-s', '0', '-w', pcap, 'ip proto 51 or arp']);
    let dumpErr = '';
    dump.stderr?.on('data', (d: Buffer) => { dumpErr += d; });
    await sleep(1000); // tcpdump attached before the first advertisement
    const conf = ahConf(unicast);
    writeFileSync(join(dir, 'used.conf'), conf);
    const ka = startDirector(a, dir, 'ka', 'keepalived', conf);
    await sleep(8000);
    await ka.stop();
    await sleep(500);
    dump.kill('SIGINT');
    await new Promise((r) => dump.once('exit', r));
    copyFileSync(pcap, resolve(out));
    process.stderr.write(`${dumpErr}\n--- keepalived ---\n${ka.output()}\n`);
  } finally {
    lan.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
