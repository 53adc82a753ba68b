// Watching a VRRP LAN from the outside for the reload and stop tests: a tcpdump capture of VRRP
// on the client host (a third host, so it sees what the wire carries), and `ip monitor address`
// on a director (every VIP deletion is an event, however short: polling could miss 100 ms).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { decodeVrrp } from '../../../src/codec/vrrp.js';
import { formatIP } from '../../../src/lib/ip.js';
import type { Host } from '../../support/netns.js';
import { ipPackets } from '../../support/pcap.js';

export interface Advert { tsMs: number; src: string; vrid: number; priority: number }

export class Capture {
  private proc: ChildProcess;
  private ready: Promise<void>;
  readonly file: string;

  // --immediate-mode: without it libpcap hands packets over once a second, and the last second
  // before SIGINT (the priority-0 adverts of a stop) would be lost. -B 8192 (KiB): the default
  // ring dropped part of a burst of 50 priority-0 adverts.
  constructor(host: Host, dir: string, name = 'vrrp') {
    this.file = join(dir, `${name}.pcap`);
    this.proc = host.spawn('tcpdump', ['--immediate-mode', '-B', '8192', '-U', '-n', '-i', 'eth0', '-w', this.file, 'ip proto 112 or ip6 proto 112']);
    this.ready = new Promise((resolve, reject) => {
      let err = '';
      this.proc.stderr!.on('data', (d: Buffer) => { err += d; if (err.includes('listening')) resolve(); });
      this.proc.once('exit', () => reject(new Error(`tcpdump ended: ${err}`)));
    });
  }

  started(): Promise<void> { return this.ready; }

  /** Stops tcpdump and returns every VRRP advert it saw, in order. */
  async stop(): Promise<Advert[]> {
    if (this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGINT');
      await done;
    }
    const out: Advert[] = [];
    for (const p of ipPackets(readFileSync(this.file))) {
      if (p.protocol !== 112) continue;
      const a = decodeVrrp(p.payload, p.family);
      if (a.ok) out.push({ tsMs: p.tsUs / 1000, src: formatIP(p.src), vrid: a.advert.vrid, priority: a.advert.priority });
    }
    return out;
  }
}

/** The longest gap (ms) between consecutive adverts of one sender and VRID within [from, to]. */
export function longestGap(adverts: Advert[], src: string, vrid: number, fromMs = -Infinity, toMs = Infinity): { gapMs: number; atMs: number } {
  const ts = adverts.filter((a) => a.src === src && a.vrid === vrid && a.priority > 0 && a.tsMs >= fromMs && a.tsMs <= toMs).map((a) => a.tsMs);
  let gapMs = 0, atMs = 0;
  for (let i = 1; i < ts.length; i++) if (ts[i]! - ts[i - 1]! > gapMs) { gapMs = ts[i]! - ts[i - 1]!; atMs = ts[i - 1]!; }
  return { gapMs, atMs };
}

/** `ip monitor address` on a host: every deletion of `addr` is recorded. */
export class AddressMonitor {
  private proc: ChildProcess;
  private out = '';

  constructor(host: Host, private addr: string) {
    this.proc = host.spawn('ip', ['-o', '-ts', 'monitor', 'address', 'dev', 'eth0']);
    this.proc.stdout!.on('data', (d: Buffer) => { this.out += d; });
  }

  /** Lines reporting the address deleted. */
  deletions(): string[] {
    return this.out.split('\n').filter((l) => l.includes('Deleted') && l.includes(` ${this.addr}/`));
  }

  stop(): void { this.proc.kill('SIGTERM'); }
}
