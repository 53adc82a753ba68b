// The real NftPort: `nft -j BATCH` with the JSON batch as one argument of an argument vector (no
// shell; not `-f -`: Node's stdin for a child is a socket, which nft cannot open as /dev/stdin),
// and a timeout after which nft is killed. A failure rejects with nft's stderr, so the log says
// why (a missing kernel module, a permission, a syntax nft did not take), never just an exit code.
import { childProcess } from '../lib/child-process.js';
import type { NftBatch } from './nft-plan.js';
import type { NftPort } from './nft-port.js';
import { inetTableExists } from './nft-tables.js';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class NftExec implements NftPort {
  /**
   * `command`: nft's argument vector before `-j BATCH` (tests: `ip netns exec NS nft`); `lookup`
   * answers hasTable, by default over nfnetlink in this process's own namespace (nft-tables.ts).
   */
  constructor(private readonly command: readonly string[] = ['nft'], private readonly timeoutMs = 5000,
    private readonly lookup: (name: string) => Promise<boolean> = inetTableExists) {}

  hasTable(name: string): Promise<boolean> { return this.lookup(name); }

  private get argv0(): string { return this.command[0]!; }

  apply(batch: NftBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      let stderr = '';
      let timedOut = false;
      let child;
      try {
        child = childProcess().spawn(this.argv0, [...this.command.slice(1), '-j', JSON.stringify(batch)], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH } });
      } catch (e) { reject(new Error(`cannot run ${this.argv0}: ${(e as Error).message}`)); return; }
      const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, this.timeoutMs);
      child.stderr.on('data', (d: Buffer) => { if (stderr.length < 4096) stderr += d.toString(); });
      child.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new Error(e.code === 'ENOENT' ? `${this.argv0} is not installed (install nftables)` : `cannot run ${this.argv0}: ${e.message}`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) reject(new Error(`nft did not finish within ${this.timeoutMs} ms and was killed`));
        else if (code === 0) resolve();
        else reject(new Error(`nft failed (${code === null ? `signal ${signal}` : `exit ${code}`}): ${oneLine(stderr) || 'no message'}`));
      });
    });
  }
}

function oneLine(s: string): string { return s.trim().split('\n').map((l) => l.trim()).filter(Boolean).join('; '); }
