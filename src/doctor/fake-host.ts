// An in-memory DoctorHost for tests: every fact is a field to set; listenVrrp returns the adverts
// queued for an interface and family (or throws the error set for it) and records the request.
import type { DoctorHost, HeardAdvert, IpvsFact, LinkFact, ListenRequest, ModuleFact } from './host.js';

export class FakeDoctorHost implements DoctorHost {
  capEff: bigint | undefined = (1n << 12n) | (1n << 13n);
  ipvsFact: IpvsFact = { state: 'available' };
  modules = new Map<string, ModuleFact>();
  linkList: LinkFact[] = [];
  linkError: Error | undefined;
  addresses: string[] = [];
  sysctls = new Map<string, string>();
  commands = new Set<string>();
  adverts = new Map<string, HeardAdvert[]>();
  listenErrors = new Map<string, Error>();
  readonly listens: ListenRequest[] = [];
  closed = false;

  addLink(name: string, over: Partial<LinkFact> = {}): this {
    this.linkList.push({ name, up: true, lowerUp: true, multicast: true, ...over });
    return this;
  }

  async effectiveCapabilities() { return this.capEff; }
  async ipvs() { return this.ipvsFact; }
  async module(name: string) { return this.modules.get(name) ?? 'missing'; }
  async links() { if (this.linkError) throw this.linkError; return this.linkList.map((l) => ({ ...l })); }
  async localAddresses() { return [...this.addresses]; }
  async sysctl(path: string[]) { return this.sysctls.get(path.join('/')); }
  async hasCommand(name: string) { return this.commands.has(name); }
  async listenVrrp(req: ListenRequest) {
    this.listens.push(req);
    const key = `${req.iface}/${req.family}`;
    const err = this.listenErrors.get(key);
    if (err) throw err;
    return [...(this.adverts.get(key) ?? [])];
  }
  close() { this.closed = true; }
}
