// Real routing daemons inside a test's network namespace: BIRD 2 (`bird`) and FRR (zebra + bgpd),
// each with its configuration, control sockets, pid files and logs in a temp dir of its own, so
// several run side by side and nothing under /etc or /run is used. stop() kills and waits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FRR_DIR = '/usr/lib/frr';

export interface RoutingDaemon {
  kind: 'bird' | 'frr';
  ns: string;
  dir: string;
  /** One CLI command (birdc / vtysh) and its output; throws when the CLI fails. */
  query(cmd: string): string;
  /** Log text so far (for failure messages). */
  logs(): string;
  /** Kills the daemons (SIGKILL after `graceMs`), waits for them, removes the temp dir. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once, as a crash would (no BGP notification); stop() still cleans up. */
  crash(): Promise<void>;
}

function tempDir(prefix: string, owner?: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  if (owner) {
    // FRR drops privileges to its own user (and insists its vty group exists), so that user
    // writes the pid files, sockets and log here.
    const id = (flag: string) => Number(spawnSync('id', [flag, owner], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  return dir;
}

function startIn(ns: string, argv: string[], log: string): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  const append = (d: Buffer) => { try { writeFileSync(log, d, { flag: 'a' }); } catch { /* dir gone */ } };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  return child;
}

async function waitFor(what: string, pred: () => boolean, timeoutMs: number, logs: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what} did not come up within ${timeoutMs} ms; logs:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function kill(children: ChildProcess[], graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const exited = children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()))));
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
  const timer = setTimeout(() => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); }, graceMs);
  await Promise.all(exited);
  clearTimeout(timer);
}

/** BIRD 2 in `ns`, foreground (-f), with `conf` as its whole configuration. */
export async function startBird(ns: string, conf: string): Promise<RoutingDaemon> {
  const dir = tempDir('vk-bird-');
  const cfg = join(dir, 'bird.conf'), sock = join(dir, 'bird.ctl'), log = join(dir, 'bird.log');
  writeFileSync(cfg, conf);
  const child = startIn(ns, ['bird', '-f', '-c', cfg, '-s', sock, '-P', join(dir, 'bird.pid')], log);
  const logs = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  const query = (cmd: string) => {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'birdc', '-s', sock, ...cmd.split(' ')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`birdc ${cmd}: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  try {
    await waitFor('bird', () => { if (child.exitCode !== null) throw new Error(`bird exited ${child.exitCode}: ${logs()}`); return existsSync(sock); }, 10_000, logs);
  } catch (e) { await kill([child], 1000); rmSync(dir, { recursive: true, force: true }); throw e; }
  return {
    kind: 'bird', ns, dir, query, logs,
    crash: () => kill([child], 0, 'SIGKILL'),
    stop: async (graceMs = 2000) => { await kill([child], graceMs); rmSync(dir, { recursive: true, force: true }); },
  };
}

/**
 * FRR's zebra and bgpd in `ns`, foreground, talking over a zserv socket in the temp dir. `conf` is
 * an integrated frr.conf, pushed to both daemons by `vtysh -b` as Debian's frrinit.sh does.
 */
export async function startFrr(ns: string, conf: string): Promise<RoutingDaemon> {
  const dir = tempDir('vk-frr-', 'frr');
  const zserv = join(dir, 'zserv.api'), log = join(dir, 'frr.log');
  writeFileSync(join(dir, 'frr.conf'), conf);
  writeFileSync(join(dir, 'empty.conf'), '');
  writeFileSync(join(dir, 'vtysh.conf'), '');
  const logs = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  const common = (name: string) => ['-f', join(dir, 'empty.conf'), '-i', join(dir, `${name}.pid`), '-z', zserv, '--vty_socket', dir, '--log', `file:${log}`, '-A', '127.0.0.1'];
  const children: ChildProcess[] = [];
  const vtysh = (...args: string[]) => spawnSync('ip', ['netns', 'exec', ns, 'vtysh', '--vty_socket', dir, '--config_dir', dir, ...args], { encoding: 'utf8' });
  const query = (cmd: string) => {
    const r = vtysh('-c', cmd);
    if (r.status !== 0) throw new Error(`vtysh -c '${cmd}': ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  try {
    children.push(startIn(ns, [join(FRR_DIR, 'zebra'), ...common('zebra')], log));
    await waitFor('zebra', () => existsSync(zserv) && existsSync(join(dir, 'zebra.vty')), 15_000, logs);
    children.push(startIn(ns, [join(FRR_DIR, 'bgpd'), ...common('bgpd')], log));
    await waitFor('bgpd', () => existsSync(join(dir, 'bgpd.vty')), 15_000, logs);
    const boot = vtysh('-b');
    if (boot.status !== 0) throw new Error(`vtysh -b (frr.conf) failed: ${boot.stdout}${boot.stderr}`);
  } catch (e) { await kill(children, 1000); rmSync(dir, { recursive: true, force: true }); throw e; }
  return {
    kind: 'frr', ns, dir, query, logs,
    crash: () => kill(children, 0, 'SIGKILL'),
    stop: async (graceMs = 2000) => { await kill(children, graceMs); rmSync(dir, { recursive: true, force: true }); },
  };
}
