// Helpers for the keepalived interop tests: a LAN with two directors and a client, one config
// text for both daemons (only the priority and the unicast source/peer differ), daemons started
// inside the namespaces, and polling checks on addresses and neighbour entries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lan, type Host } from '../../support/netns.js';
import { hasAddress, startDirector, type Director, type DirectorOptions } from '../../support/directors.js';
import { sleep, waitFor } from '../../support/wait.js';

export const VIP = '10.9.0.100';
export const VIP6 = 'fd00::100';
export const ADDR = { a: '10.9.0.1', b: '10.9.0.2', client: '10.9.0.50' } as const;
export const ADDR6 = { a: 'fd00::1', b: 'fd00::2', client: 'fd00::50' } as const;

export interface ConfOpts {
  version: 2 | 3;
  unicast?: boolean;
  family?: 4 | 6;
  /** advert_int in seconds (v2: whole seconds). */
  advertInt?: number;
  auth?: string;
  /** auth_type with `auth` (default PASS). */
  authType?: 'PASS' | 'AH';
  nopreempt?: boolean;
  preemptDelay?: number;
  plainChecksum?: boolean;
  vrid?: number;
  garpDelay?: number;
  /** global vrrp_strict. */
  strict?: boolean;
  /** `accept` (true) or `no_accept` (false); unset: neither. */
  accept?: boolean;
  /** Extra lines inside the vrrp_instance block (e.g. virtual_routes { ... }). */
  instanceLines?: string[];
}

export function confText(o: ConfOpts, self: 'a' | 'b', priority: number): string {
  const fam = o.family ?? 4;
  const other = self === 'a' ? 'b' : 'a';
  const addr = fam === 4 ? ADDR : ADDR6;
  const lines = [
    'global_defs {', `  router_id ${self}`, `  vrrp_version ${o.version}`,
    ...(o.plainChecksum ? ['  v3_checksum_as_v2'] : []),
    // keepalived refuses to run with root scripts otherwise; no scripts are used here.
    '  script_user root', '  enable_script_security', ...(o.strict ? ['  vrrp_strict'] : []), '}',
    'vrrp_instance VI_1 {',
    '  state BACKUP',
    '  interface eth0',
    `  virtual_router_id ${o.vrid ?? 51}`,
    `  priority ${priority}`,
    `  advert_int ${o.advertInt ?? (o.version === 2 ? 1 : 0.1)}`,
    ...(o.nopreempt ? ['  nopreempt'] : []),
    ...(o.accept === undefined ? [] : [o.accept ? '  accept' : '  no_accept']),
    ...(o.preemptDelay !== undefined ? [`  preempt_delay ${o.preemptDelay}`] : []),
    `  garp_master_delay ${o.garpDelay ?? 1}`,
    ...(o.auth ? ['  authentication {', `    auth_type ${o.authType ?? 'PASS'}`, `    auth_pass ${o.auth}`, '  }'] : []),
    ...(o.unicast ? [`  unicast_src_ip ${addr[self]}`, '  unicast_peer {', `    ${addr[other]}`, '  }'] : []),
    '  virtual_ipaddress {', `    ${fam === 4 ? `${VIP}/24` : `${VIP6}/64`}`, '  }',
    ...(o.instanceLines ?? []),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

export type Daemon = Director;

export class Bench {
  readonly lan = new Lan();
  readonly dir = mkdtempSync(join(tmpdir(), 'vk-interop-'));
  readonly a: Host;
  readonly b: Host;
  readonly client: Host;
  private daemons: Daemon[] = [];
  private n = 0;

  constructor(family: 4 | 6 = 4) {
    const ad = family === 4 ? ADDR : ADDR6;
    const sfx = family === 4 ? '/24' : '/64';
    this.a = this.lan.addHost('a', [ad.a + sfx]);
    this.b = this.lan.addHost('b', [ad.b + sfx]);
    this.client = this.lan.addHost('c', [ad.client + sfx]);
  }

  host(name: 'a' | 'b'): Host { return name === 'a' ? this.a : this.b; }

  start(kind: Daemon['kind'], who: 'a' | 'b', conf: string, opts: DirectorOptions = {}): Daemon {
    const d = startDirector(this.host(who), this.dir, `${kind}-${who}-${++this.n}`, kind, conf, opts);
    this.daemons.push(d);
    return d;
  }

  /** VIP present on a director's eth0. */
  hasVip(who: 'a' | 'b', vip = VIP): boolean { return hasAddress(this.host(who), vip); }

  /** The client's neighbour entry for the VIP after reaching it (ping), or undefined. */
  clientNeighbour(vip = VIP): string | undefined {
    this.client.run('sh', '-c', `ping -c1 -W1 ${vip} >/dev/null 2>&1 || ping -6 -c1 -W1 ${vip} >/dev/null 2>&1 || true`);
    const j = JSON.parse(this.client.run('ip', '-j', 'neigh', 'show', vip) || '[]') as { lladdr?: string }[];
    return j[0]?.lladdr;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.daemons.map((d) => { if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL'); return undefined; }));
    this.lan.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export { sleep, waitFor };

/** Waits until exactly `who` holds the VIP (and the other does not), then checks it stays so for `holdMs`. */
export async function vipOnlyOn(bench: Bench, who: 'a' | 'b', ms: number, holdMs = 0, vip = VIP): Promise<boolean> {
  const other = who === 'a' ? 'b' : 'a';
  const ok = () => bench.hasVip(who, vip) && !bench.hasVip(other, vip);
  if (!(await waitFor(ok, ms))) return false;
  if (holdMs > 0) { await sleep(holdMs); return ok(); }
  return true;
}
