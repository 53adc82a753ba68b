// Shared by the IPVS tests that run inside the kernel VM (test/kernel/harness). They change the
// kernel's IPVS table, so outside the VM they skip; by hand inside it:
//   node --import tsx --test test/kernel/inside/ipvs-*.test.ts
import type { TestContext } from 'node:test';
import { execFileSync, spawnSync } from 'node:child_process';
import { needRoot } from '../../support/privileged.js';
import { openIpvs } from '../../../src/ipvs/genl-socket.js';
import type { IpvsClient } from '../../../src/ipvs/client.js';
import { main } from '../../../src/cli.js';

export function inVm(t: TestContext): boolean {
  if (process.env.VIPKEEPER_IN_VM === '1') return needRoot(t, 'ipvsadm');
  t.skip('changes the kernel IPVS table: runs inside the kernel VM (node test/kernel/harness/run.mjs)');
  return false;
}

export function ipvsadm(...args: string[]): string {
  return execFileSync('ipvsadm', args, { encoding: 'utf8', timeout: 30_000 });
}

/** `ipvsadm -R` with these rules on stdin. */
export function ipvsadmRestore(rules: string[]): void {
  const r = spawnSync('ipvsadm', ['-R'], { input: `${rules.join('\n')}\n`, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`ipvsadm -R failed: ${r.stderr}`);
}

export function flush(): void { ipvsadm('-C'); }

/** A client on the real kernel, closed and the table flushed after `fn`. */
export async function withClient<T>(fn: (c: IpvsClient) => Promise<T>): Promise<T> {
  flush();
  const c = await openIpvs();
  try {
    return await fn(c);
  } finally {
    c.close();
    flush();
  }
}

/** Runs `vipkeeper ARGS...` in-process (the real CLI code path) and returns what it printed. */
export async function vipkeeper(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { out: (t) => { out += t.endsWith('\n') ? t : `${t}\n`; }, err: (t) => { err += t.endsWith('\n') ? t : `${t}\n`; } });
  return { code, out, err };
}
