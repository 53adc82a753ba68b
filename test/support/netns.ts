// Builds throwaway test hosts: network namespaces joined by veth pairs to a bridge that lives in
// its own namespace, so nothing touches the host's links. Names are unique per run; destroy()
// removes everything and is safe to call from a finally block even after a half-built setup.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { uniqueTag } from './privileged.js';

export function sh(cmd: string, args: string[], opts: { ns?: string; allowFail?: boolean } = {}): string {
  const argv = opts.ns ? ['ip', ['netns', 'exec', opts.ns, cmd, ...args]] as const : [cmd, args] as const;
  try {
    return execFileSync(argv[0], [...argv[1]], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (opts.allowFail) return '';
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}${opts.ns ? ` (in ${opts.ns})` : ''}: ${err.stderr?.trim() || err.message}`);
  }
}

export interface Host {
  ns: string;
  /** The host's interface on the LAN, named `eth0` inside its namespace. */
  ifname: string;
  mac: string;
  run(cmd: string, ...args: string[]): string;
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
}

export class Lan {
  readonly tag = uniqueTag();
  readonly bridgeNs = `vkbr-${this.tag}`;
  readonly hosts = new Map<string, Host>();
  private children: ChildProcess[] = [];
  private nsList: string[] = [];

  constructor() {
    this.addNs(this.bridgeNs);
    sh('ip', ['link', 'add', 'br0', 'type', 'bridge'], { ns: this.bridgeNs });
    // No STP forwarding delay: ports forward at once.
    sh('ip', ['link', 'set', 'br0', 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0'], { ns: this.bridgeNs });
    sh('ip', ['link', 'set', 'br0', 'up'], { ns: this.bridgeNs });
  }

  private addNs(name: string): void {
    sh('ip', ['netns', 'add', name]);
    this.nsList.push(name);
    sh('ip', ['link', 'set', 'lo', 'up'], { ns: name });
  }

  /** Adds a host with eth0 on the bridge and the given addresses ("10.9.0.1/24", "fd00::1/64"). */
  addHost(name: string, addrs: string[] = []): Host {
    const ns = `vk${name}-${this.tag}`;
    this.addNs(ns);
    const peer = `p${name}${this.tag}`.slice(0, 15);
    const tmp = `t${name}${this.tag}`.slice(0, 15);
    sh('ip', ['link', 'add', tmp, 'netns', ns, 'type', 'veth', 'peer', 'name', peer, 'netns', this.bridgeNs]);
    sh('ip', ['link', 'set', tmp, 'name', 'eth0'], { ns });
    sh('ip', ['link', 'set', peer, 'master', 'br0', 'up'], { ns: this.bridgeNs });
    // Keep test addresses deterministic: no DAD delays, no router solicitations.
    sh('sysctl', ['-qw', 'net.ipv6.conf.eth0.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'], { ns, allowFail: true });
    for (const a of addrs) sh('ip', ['addr', 'add', a, 'dev', 'eth0', ...(a.includes(':') ? ['nodad'] : [])], { ns });
    sh('ip', ['link', 'set', 'eth0', 'up'], { ns });
    const mac = JSON.parse(sh('ip', ['-j', 'link', 'show', 'eth0'], { ns }))[0].address as string;
    const host: Host = {
      ns, ifname: 'eth0', mac,
      run: (cmd, ...args) => sh(cmd, args, { ns }),
      spawn: (cmd, args, opts = {}) => {
        const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
        this.children.push(child);
        return child;
      },
    };
    this.hosts.set(name, host);
    return host;
  }

  /** Cuts (or restores) a host's link at the bridge port, as a pulled cable would. */
  setCable(name: string, up: boolean): void {
    const peer = `p${name}${this.tag}`.slice(0, 15);
    sh('ip', ['link', 'set', peer, up ? 'up' : 'down'], { ns: this.bridgeNs });
  }

  destroy(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const ns of this.nsList.reverse()) {
      // Kill anything still running inside (a daemon a test forgot), then delete the namespace.
      sh('ip', ['netns', 'pids', ns], { allowFail: true }).split(/\s+/).filter(Boolean)
        .forEach((pid) => { try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ } });
      sh('ip', ['netns', 'del', ns], { allowFail: true });
    }
    this.nsList = [];
  }
}
