// An in-memory RealServerHost: sysctls, links and addresses in maps, a state object instead of a
// file, an optional failure injected on one operation, and a log of every change.
import type { RealServerHost } from './host.js';
import type { RealServerState } from './plan.js';

export class FakeRealServerHost implements RealServerHost {
  sysctls = new Map<string, string>();
  links = new Map<string, { up: boolean; addresses: string[] }>();
  state: RealServerState | undefined;
  /** Module name -> the link it creates (e.g. ipip -> tunl0); a module not here fails to load. */
  modules = new Map<string, string>();
  /** Throw on the first operation whose description starts with this. */
  failOn: string | undefined;
  readonly log: string[] = [];

  constructor() {
    for (const d of ['all', 'default', 'lo']) this.defaultConf(d);
    this.links.set('lo', { up: true, addresses: ['127.0.0.1/8', '::1/128'] });
  }

  defaultConf(dev: string): void {
    for (const [k, v] of [['arp_ignore', '0'], ['arp_announce', '0'], ['rp_filter', '0']]) this.sysctls.set(`net/ipv4/conf/${dev}/${k}`, v!);
  }

  private op(what: string): void {
    if (this.failOn && what.startsWith(this.failOn)) throw new Error(`injected failure: ${what}`);
    this.log.push(what);
  }

  async readSysctl(path: string[]) { return this.sysctls.get(path.join('/')); }
  async writeSysctl(path: string[], value: string) {
    if (!this.sysctls.has(path.join('/'))) throw new Error(`${path.join('.')}: no such sysctl`);
    this.op(`sysctl ${path.join('.')}=${value}`);
    this.sysctls.set(path.join('/'), value);
  }
  async link(name: string) { const l = this.links.get(name); return l ? { up: l.up } : undefined; }
  async setLinkUp(name: string, up: boolean) { this.op(`link ${name} ${up ? 'up' : 'down'}`); this.links.get(name)!.up = up; }
  async addresses(dev: string) { return [...(this.links.get(dev)?.addresses ?? [])]; }
  async addAddress(dev: string, cidr: string) {
    this.op(`add ${cidr} ${dev}`);
    const l = this.links.get(dev)!;
    if (!l.addresses.includes(cidr)) l.addresses.push(cidr);
  }
  async deleteAddress(dev: string, cidr: string) {
    this.op(`del ${cidr} ${dev}`);
    const l = this.links.get(dev)!;
    l.addresses = l.addresses.filter((a) => a !== cidr);
  }
  async loadModule(name: string) {
    const dev = this.modules.get(name);
    if (!dev) throw new Error(`modprobe: FATAL: Module ${name} not found`);
    this.op(`modprobe ${name}`);
    if (!this.links.has(dev)) { this.links.set(dev, { up: false, addresses: [] }); this.defaultConf(dev); }
  }
  async readState() { return this.state && structuredClone(this.state); }
  async writeState(s: RealServerState) { this.state = structuredClone(s); }
  async removeState() { this.state = undefined; }
  close() {}
}
