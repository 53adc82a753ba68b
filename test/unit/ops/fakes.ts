// A fake VRRP daemon with the shape StatusSource reads (instanceNames, instance(), onTransition),
// plus a fake director snapshot: the status, metrics and control tests share them.
import type { DirectorSnapshot, InstanceView, VrrpView } from '../../../src/app/status.js';
import type { Transition } from '../../../src/vrrp/instance.js';
import type { VrrpState } from '../../../src/vrrp/machine.js';
import { DROP_REASONS } from '../../../src/vrrp/validate.js';
import { parseIP } from '../../../src/lib/ip.js';

export interface FakeInstance extends InstanceView {
  state: VrrpState;
  priority: number;
  counters: InstanceView['counters'] & Record<string, number>;
  machine: { masterAddr: Uint8Array | undefined; masterPriority: number | undefined };
}

export function fakeInstance(name: string, o: { iface?: string; vrid?: number; base?: number; effective?: number; state?: VrrpState; master?: [string, number] } = {}): FakeInstance {
  const counters = { ...Object.fromEntries(DROP_REASONS.map((r) => [r, 0])), own: 0, 'send-error': 0, received: 0, sent: 0 } as FakeInstance['counters'];
  return {
    state: o.state ?? 'BACKUP',
    priority: o.effective ?? o.base ?? 100,
    spec: { name, interface: o.iface ?? 'eth0', vrid: o.vrid ?? 51, priority: o.base ?? 100 },
    counters,
    machine: { masterAddr: o.master ? parseIP(o.master[0]).addr : undefined, masterPriority: o.master?.[1] },
  };
}

export class FakeVrrp implements VrrpView {
  readonly map = new Map<string, FakeInstance>();
  private fns: ((t: Transition) => void)[] = [];
  constructor(insts: FakeInstance[]) { for (const i of insts) this.map.set(i.spec.name, i); }
  get instanceNames(): string[] { return [...this.map.keys()]; }
  instance(name: string): FakeInstance | undefined { return this.map.get(name); }
  onTransition(fn: (t: Transition) => void): void { this.fns.push(fn); }
  /** Moves an instance and announces it, as the real Daemon does. */
  transition(name: string, to: VrrpState, reason: Transition['reason']): void {
    const i = this.map.get(name)!;
    const from = i.state;
    i.state = to;
    for (const fn of this.fns) fn({ instance: name, vrid: i.spec.vrid, iface: i.spec.interface, from, to, reason, priority: i.priority });
  }
}

/** Two instances (one MASTER, one BACKUP hearing 10.0.0.2) and two virtual servers. */
export function sampleVrrp(): FakeVrrp {
  const a = fakeInstance('VI_WEB', { iface: 'eth0', vrid: 51, base: 150, effective: 140, state: 'BACKUP' });
  const b = fakeInstance('VI_MAIL', { iface: 'eth1', vrid: 52, base: 100, state: 'BACKUP', master: ['10.0.0.2', 200] });
  Object.assign(a.counters, { sent: 42, received: 17, 'bad-ttl': 3, 'auth-mismatch': 1 });
  Object.assign(b.counters, { received: 99 });
  return new FakeVrrp([a, b]);
}

/**
 * Two virtual servers as the director reports them; `mono` is the director's clock now (check
 * results are stamped on it): 192.168.1.1 was checked 1.5 s ago, 192.168.1.2 fails since 0.5 s.
 */
export function sampleDirector(mono: number): DirectorSnapshot {
  return {
    ipvsAvailable: true,
    virtualServers: [
      {
        name: '10.0.0.10:80/tcp', quorumUp: true, sorryActive: false, realServers: [
          { address: '192.168.1.1', port: 80, up: true, weight: 3, checks: [{ type: 'TCP_CHECK', up: true, ok: true, reason: 'connected', code: 'ok', latencyMs: 2.25, at: mono - 1500 }] },
          {
            address: '192.168.1.2', port: 80, up: false, weight: 0, checks: [
              { type: 'TCP_CHECK', up: true, ok: true, reason: 'connected', code: 'ok', latencyMs: 0.3, at: mono - 200 },
              { type: 'HTTP_GET', up: false, ok: false, reason: 'HTTP 503 on /health', code: 'status', latencyMs: 0.4, at: mono - 500 },
            ],
          },
        ],
      },
      { name: '[2001:db8::10]:443/tcp', quorumUp: false, sorryActive: true, suspended: true, realServers: [{ address: '2001:db8::1', port: 443, up: false, weight: 1, checks: [{ type: 'SSL_GET', up: false }] }] },
    ],
    ipvsOps: [{ op: 'add-dest', result: 'ok', count: 4 }, { op: 'edit-dest', result: 'error', count: 1 }],
    checkFailures: [{ vs: '10.0.0.10:80/tcp', rs: '192.168.1.2:80', type: 'HTTP_GET', code: 'status', count: 2 }],
  };
}
