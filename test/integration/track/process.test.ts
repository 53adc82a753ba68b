// vrrp_track_process end to end: the real daemon hears process starts and exits through the
// kernel's proc connector, which exists only in the initial network namespace, so vipkeeper runs
// there, on one end of a veth pair of our own; keepalived runs in a namespace on the other end.
// The tracked program is `sleep` under a unique name (a symlink: the kernel names a process after
// the file it executed), so no other process on the machine counts. Killing the process faults
// the vipkeeper master (weight 0) or lowers its priority (weight -60): the VIP moves to
// keepalived; starting it again brings it back.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needRoot, uniqueTag } from '../../support/privileged.js';
import { sh, type Host } from '../../support/netns.js';
import { startDirector, type Director } from '../../support/directors.js';
import { vipkeeperStatus } from '../../support/vipkeeper-process.js';
import { sleep, waitFor, waitForAsync } from '../../support/wait.js';

/** A veth pair: `root` in the initial namespace, eth0 in a fresh namespace; a /24 of its own. */
class Link {
  readonly tag = uniqueTag();
  readonly ns = `vktp-${this.tag}`;
  readonly root = `vktp${this.tag}`.slice(0, 15);
  readonly net = `10.97.${Math.floor(Math.random() * 200) + 20}`;
  readonly vip = `${this.net}.100`;
  readonly dir = mkdtempSync(join(tmpdir(), 'vk-tp-'));
  private children: ChildProcess[] = [];

  constructor() {
    sh('ip', ['netns', 'add', this.ns]);
    sh('ip', ['link', 'set', 'lo', 'up'], { ns: this.ns });
    const tmp = `tt${this.tag}`.slice(0, 15);
    sh('ip', ['link', 'add', this.root, 'type', 'veth', 'peer', 'name', tmp, 'netns', this.ns]);
    sh('ip', ['link', 'set', tmp, 'name', 'eth0'], { ns: this.ns });
    sh('ip', ['addr', 'add', `${this.net}.2/24`, 'dev', 'eth0'], { ns: this.ns });
    sh('ip', ['link', 'set', 'eth0', 'up'], { ns: this.ns });
    sh('ip', ['addr', 'add', `${this.net}.1/24`, 'dev', this.root]);
    sh('ip', ['link', 'set', this.root, 'up']);
  }

  host(side: 'root' | 'ns'): Host {
    const ns = side === 'ns' ? this.ns : undefined;
    return {
      ns: ns ?? '', ifname: side === 'ns' ? 'eth0' : this.root, mac: '',
      run: (cmd, ...args) => sh(cmd, args, ns ? { ns } : {}),
      spawn: (cmd, args, opts = {}) => {
        const c = ns ? spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts }) : spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
        this.children.push(c);
        return c;
      },
    };
  }

  hasVip(side: 'root' | 'ns'): boolean {
    const h = this.host(side);
    const j = JSON.parse(h.run('ip', '-j', 'addr', 'show', 'dev', h.ifname)) as { addr_info: { local: string }[] }[];
    return j[0]!.addr_info.some((x) => x.local === this.vip);
  }

  async only(side: 'root' | 'ns', ms: number, holdMs = 0): Promise<boolean> {
    const other = side === 'root' ? 'ns' : 'root';
    const ok = () => this.hasVip(side) && !this.hasVip(other);
    if (!(await waitFor(ok, ms))) return false;
    if (holdMs > 0) { await sleep(holdMs); return ok(); }
    return true;
  }

  destroy(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    sh('ip', ['netns', 'pids', this.ns], { allowFail: true }).split(/\s+/).filter(Boolean)
      .forEach((pid) => { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ } });
    sh('ip', ['link', 'del', this.root], { allowFail: true });
    sh('ip', ['netns', 'del', this.ns], { allowFail: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function conf(link: Link, side: 'root' | 'ns', priority: number, tracked?: { name: string; weight: number }): string {
  return [
    ...(tracked ? ['vrrp_track_process proc {', `  process ${tracked.name}`, `  weight ${tracked.weight}`, '}'] : []),
    'global_defs {', `  router_id ${side}`, '  script_user root', '  enable_script_security', '}',
    'vrrp_instance VI_1 {', '  state BACKUP', `  interface ${link.host(side).ifname}`, '  virtual_router_id 61',
    `  priority ${priority}`, '  advert_int 1', '  garp_master_delay 1',
    '  virtual_ipaddress {', `    ${link.vip}/24`, '  }',
    ...(tracked ? ['  track_process {', '    proc', '  }'] : []),
    '}', '',
  ].join('\n');
}

/** A process named `name` (at most 15 characters), started from a symlink to sleep. */
function startNamed(dir: string, name: string): ChildProcess {
  const link = join(dir, name);
  try { symlinkSync('/bin/sleep', link); } catch { /* exists from an earlier start */ }
  const c = spawn(link, ['1000'], { stdio: 'ignore' });
  c.on('error', () => { /* reported by the waits below */ });
  return c;
}

async function instanceState(d: Director): Promise<{ state: string; effectivePriority: number } | undefined> {
  try { return (await vipkeeperStatus(d.controlSocket!)).instances?.[0]; } catch { return undefined; }
}

async function scenario(t: TestContext, weight: number, whileDown: (s: { state: string; effectivePriority: number }) => boolean): Promise<void> {
  if (!needRoot(t, 'keepalived')) return;
  const link = new Link();
  const name = `vkp${uniqueTag()}`;
  let proc: ChildProcess | undefined;
  try {
    proc = startNamed(link.dir, name);
    const k = startDirector(link.host('ns'), link.dir, 'keepalived', 'keepalived', conf(link, 'ns', 100));
    const v = startDirector(link.host('root'), link.dir, 'vipkeeper', 'vipkeeper', conf(link, 'root', 150, { name, weight }));
    assert.ok(await link.only('root', 15_000, 1500), `vipkeeper (150, process running) is master\n${v.output()}\n${k.output()}`);

    const killedAt = Date.now();
    proc.kill('SIGKILL');
    assert.ok(await link.only('ns', 10_000), `the process died: keepalived takes the VIP\n${v.output()}`);
    t.diagnostic(`process killed -> VIP on keepalived in ${Date.now() - killedAt} ms`);
    let seen: unknown;
    assert.ok(await waitForAsync(async () => { const s = await instanceState(v); seen = s; return !!s && whileDown(s); }, 5000), `vipkeeper status while the process is down: ${JSON.stringify(seen)}`);
    assert.match(v.output(), /quorum lost/);
    assert.doesNotMatch(v.output(), /cannot receive process events/, 'events, not the /proc polling fallback');

    const startedAt = Date.now();
    proc = startNamed(link.dir, name);
    assert.ok(await link.only('root', 10_000, 1000), `the process is back: vipkeeper preempts again\n${v.output()}`);
    t.diagnostic(`process started -> VIP back on vipkeeper in ${Date.now() - startedAt} ms`);
    const s = await instanceState(v);
    assert.equal(s?.state, 'MASTER');
    assert.equal(s?.effectivePriority, 150);
    assert.equal(await v.stop(), 0);
    assert.ok(!link.hasVip('root'), 'a stopped vipkeeper leaves no VIP in the initial namespace');
  } finally {
    proc?.kill('SIGKILL');
    link.destroy();
  }
}

test('track_process weight 0 vs keepalived: killing the tracked process faults vipkeeper and hands the VIP over; restarting takes it back', { timeout: 90_000 }, async (t) => {
  await scenario(t, 0, (s) => s.state === 'FAULT');
});

test('track_process weight -60 vs keepalived: the dead process lowers the priority to 90 and keepalived (100) takes over', { timeout: 90_000 }, async (t) => {
  await scenario(t, -60, (s) => s.state === 'BACKUP' && s.effectivePriority === 90);
});

test('track_process from inside a network namespace: no process events there; /proc is read every second instead, and it still works', { timeout: 60_000 }, async (t) => {
  if (!needRoot(t)) return;
  const link = new Link();
  const name = `vkq${uniqueTag()}`;
  let proc: ChildProcess | undefined;
  try {
    proc = startNamed(link.dir, name);
    const v = startDirector(link.host('ns'), link.dir, 'vipkeeper-ns', 'vipkeeper', conf(link, 'ns', 150, { name, weight: 0 }));
    assert.ok(await waitFor(() => link.hasVip('ns'), 15_000), `master while the process runs\n${v.output()}`);
    assert.match(v.output(), /ECONNREFUSED.*reading \/proc every second instead|cannot receive process events/);
    proc.kill('SIGKILL');
    assert.ok(await waitFor(() => !link.hasVip('ns'), 6000), `the exit is noticed by reading /proc\n${v.output()}`);
    assert.equal((await instanceState(v))?.state, 'FAULT');
    assert.equal(await v.stop(), 0);
  } finally {
    proc?.kill('SIGKILL');
    link.destroy();
  }
});
