// Drives test/reliability/support/vk-node.ts (vipkeeper's runtime in-process) inside a test host:
// start, wait for events, read counters, stop. Also small shared helpers for the reliability tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { Host } from '../../support/netns.js';
import { waitFor } from '../../support/wait.js';

export const VK_NODE = fileURLToPath(new URL('./vk-node.ts', import.meta.url));
export const ATTACKER = fileURLToPath(new URL('./attacker.ts', import.meta.url));

export interface VkEvent { event: string; [k: string]: unknown }
/** An instance's counters; `kernel`: drops by the transport's kernel filter, when it has one. */
export type Counters = Record<string, number | string> & { kernel?: Record<string, number> | null };

export class VkNode {
  readonly events: VkEvent[] = [];
  stderr = '';
  readonly proc: ChildProcess;
  private buf = '';

  constructor(readonly host: Host, dir: string, readonly id: string, conf: string, env: Record<string, string> = {}) {
    const file = join(dir, `${id}.conf`);
    writeFileSync(file, conf);
    this.proc = host.spawn(process.execPath, ['--import', 'tsx', VK_NODE, file], { stdio: ['pipe', 'pipe', 'pipe'], cwd: process.cwd(), env: { ...process.env, ...env } });
    this.proc.stdout!.on('data', (d: Buffer) => {
      this.buf += d;
      let nl;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl); this.buf = this.buf.slice(nl + 1);
        try { this.events.push(JSON.parse(line) as VkEvent); } catch { /* not ours */ }
      }
    });
    this.proc.stderr!.on('data', (d: Buffer) => { this.stderr = (this.stderr + d).slice(-4000); });
  }

  get alive(): boolean { return this.proc.exitCode === null && this.proc.signalCode === null; }
  transitions(): VkEvent[] { return this.events.filter((e) => e.event === 'transition'); }
  /** The state after the last transition (or undefined before the first). */
  state(): string | undefined { return this.transitions().at(-1)?.to as string | undefined; }

  async waitEvent(pred: (e: VkEvent) => boolean, ms: number): Promise<VkEvent> {
    let hit: VkEvent | undefined;
    const ok = await waitFor(() => { hit = this.events.find(pred); return hit !== undefined || !this.alive; }, ms, 20);
    if (!ok || !hit) throw new Error(`${this.id}: event not seen in ${ms} ms (alive ${this.alive}); events ${JSON.stringify(this.events.slice(-5))}; stderr ${this.stderr}`);
    return hit;
  }

  /** Counters of every instance, as the running process has them now. */
  async counters(): Promise<Record<string, Counters>> {
    const before = this.events.length;
    this.proc.stdin!.write('counters\n');
    let found: VkEvent | undefined;
    await waitFor(() => { found = this.events.slice(before).find((e) => e.event === 'counters'); return Boolean(found); }, 10_000, 20);
    if (!found) throw new Error(`${this.id}: no counters reply; stderr ${this.stderr}`);
    return found.instances as Record<string, Counters>;
  }

  /** Orderly stop through stdin; resolves the exit code (SIGKILL after 5 s). */
  stop(): Promise<number | null> {
    return new Promise((resolve) => {
      if (!this.alive) { resolve(this.proc.exitCode); return; }
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      this.proc.once('exit', (code) => { clearTimeout(t); resolve(code); });
      this.proc.stdin!.write('stop\n');
    });
  }
}

/** Runs a command in a host to the end; resolves stdout (rejects on a non-zero exit). */
export function runIn(host: Host, cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = host.spawn(cmd, args, { cwd: process.cwd() });
    let out = '', err = '';
    p.stdout!.on('data', (d: Buffer) => { out += d; });
    p.stderr!.on('data', (d: Buffer) => { err += d; });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => { clearTimeout(t); if (code === 0) resolve(out); else reject(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}`)); });
  });
}
