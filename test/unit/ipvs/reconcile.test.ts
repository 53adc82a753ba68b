import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile } from '../../../src/ipvs/reconcile.js';
import { describeOp, type IpvsOp } from '../../../src/ipvs/ops.js';
import { dest, entry, svc } from './builders.js';
import type { DesiredService } from '../../../src/ipvs/model.js';

const a = dest('10.0.1.2'), b = dest('10.0.1.3'), c = dest('10.0.1.4');
const web = svc('10.0.0.1', 80, [a, b]);

/** Compact op names: "add-service tcp 10.0.0.1:80", "edit-dest 10.0.1.2:80". */
function names(ops: IpvsOp[]): string[] {
  return ops.map((o) => {
    if (o.op.endsWith('service')) {
      const s = o.service;
      return `${o.op} ${s.fwmark ? `fwmark ${s.fwmark}` : `${s.protocol} ${s.address}:${s.port}`}`;
    }
    const d = (o as { dest: { address: string; port: number } }).dest;
    return `${o.op} ${d.address}:${d.port}`;
  });
}

const cases: { name: string; desired: DesiredService[]; actual: DesiredService[]; managed?: DesiredService[]; ops: string[] }[] = [
  { name: 'empty kernel: the service, then its real servers', desired: [web], actual: [], ops: ['add-service tcp 10.0.0.1:80', 'add-dest 10.0.1.2:80', 'add-dest 10.0.1.3:80'] },
  { name: 'already in agreement: nothing', desired: [web], actual: [web], ops: [] },
  { name: 'a weight change is one edit', desired: [svc('10.0.0.1', 80, [{ ...a, weight: 5 }, b])], actual: [web], ops: ['edit-dest 10.0.1.2:80'] },
  { name: 'thresholds and forwarding method are edits', desired: [svc('10.0.0.1', 80, [{ ...a, upperThreshold: 9, lowerThreshold: 1 }, { ...b, forward: 'route' }])], actual: [web], ops: ['edit-dest 10.0.1.2:80', 'edit-dest 10.0.1.3:80'] },
  { name: 'a scheduler change is a service edit, real servers untouched', desired: [{ ...web, scheduler: 'rr' }], actual: [web], ops: ['edit-service tcp 10.0.0.1:80'] },
  { name: 'flags, timeout and netmask changes are service edits', desired: [{ ...web, flags: ['persistent'], timeout: 300, netmask: 24 }], actual: [web], ops: ['edit-service tcp 10.0.0.1:80'] },
  { name: 'sh-fallback on sh equals flag-1 read back under another name', desired: [{ ...web, scheduler: 'sh', flags: ['sh-fallback'] }], actual: [{ ...web, scheduler: 'sh', flags: ['flag-1'] }], ops: [] },
  { name: 'a real server gone from the config is deleted, a new one added', desired: [svc('10.0.0.1', 80, [a, c])], actual: [web], ops: ['delete-dest 10.0.1.3:80', 'add-dest 10.0.1.4:80'] },
  { name: 'a different port is a different real server', desired: [svc('10.0.0.1', 80, [a, { ...b, port: 8080 }])], actual: [web], ops: ['delete-dest 10.0.1.3:80', 'add-dest 10.0.1.3:8080'] },
  { name: 'services not desired are left alone', desired: [web], actual: [web, svc('10.0.0.9', 443, [c])], ops: [] },
  { name: 'a previously managed service no longer desired is deleted first', desired: [svc('10.0.0.1', 80, [a, b, c])], actual: [web, svc('10.0.0.9', 443, [c])], managed: [web, svc('10.0.0.9', 443)], ops: ['delete-service tcp 10.0.0.9:443', 'add-dest 10.0.1.4:80'] },
  { name: 'previously managed keys compare in canonical form', desired: [], actual: [svc('2001:db8::9', 443)], managed: [svc('2001:DB8:0::9', 443)], ops: ['delete-service tcp 2001:db8::9:443'] },
  { name: 'addresses compare in canonical form', desired: [svc('2001:DB8:0:0::1', 80, [dest('2001:db8::0:2')])], actual: [svc('2001:db8::1', 80, [dest('2001:db8::2')])], ops: [] },
  { name: 'fwmark services are keyed by mark and family', desired: [svc('0.0.0.0', 0, [], { fwmark: 5 }), svc('::', 0, [], { fwmark: 5 })], actual: [svc('0.0.0.0', 0, [], { fwmark: 5 })], ops: ['add-service fwmark 5'] },
  { name: 'tunnel defaults: no tunnel type means ipip', desired: [svc('10.0.0.1', 80, [{ ...a, forward: 'tunnel' }])], actual: [svc('10.0.0.1', 80, [{ ...a, forward: 'tunnel', tunnelType: 'ipip' }])], ops: [] },
  { name: 'tunnel port change is an edit', desired: [svc('10.0.0.1', 80, [{ ...a, forward: 'tunnel', tunnelType: 'gue', tunnelPort: 6081 }])], actual: [svc('10.0.0.1', 80, [{ ...a, forward: 'tunnel', tunnelType: 'gue', tunnelPort: 6080 }])], ops: ['edit-dest 10.0.1.2:80'] },
];

for (const tc of cases) {
  test(`reconcile: ${tc.name}`, () => {
    const ops = reconcile(tc.desired, tc.actual.map(entry), { previouslyManaged: tc.managed });
    assert.deepEqual(names(ops), tc.ops);
  });
}

test('edits carry the old and new values, and describe them as a readable diff', () => {
  const [op] = reconcile([svc('10.0.0.1', 80, [{ ...a, weight: 5 }, b])], [entry(web)]);
  assert.equal(op?.op, 'edit-dest');
  assert.equal(describeOp(op!), '~ real server 10.0.1.2:80 in tcp 10.0.0.1:80 weight 1 -> 5');
  const [s] = reconcile([{ ...web, scheduler: 'rr', flags: ['persistent'], timeout: 60 }], [entry(web)]);
  assert.equal(describeOp(s!), '~ service tcp 10.0.0.1:80 scheduler wlc -> rr, flags none -> persistent, timeout 0 -> 60');
});

test('declaring a service or a real server twice is an error, not a silent pick', () => {
  assert.throws(() => reconcile([web, web], []), /declared twice/);
  assert.throws(() => reconcile([svc('10.0.0.1', 80, [a, a])], []), /10\.0\.1\.2:80 is declared twice/);
});

test('applying the result to the actual state converges: a second reconcile is empty', () => {
  for (const tc of cases) {
    const state = new Map(tc.actual.map((s) => [`${s.fwmark}|${s.family}|${s.protocol}|${s.address}|${s.port}`, structuredClone(s)]));
    const k = (s: { fwmark: number; family: number; protocol: string; address: string; port: number }) => `${s.fwmark}|${s.family}|${s.protocol}|${s.address}|${s.port}`;
    for (const op of reconcile(tc.desired, tc.actual.map(entry), { previouslyManaged: tc.managed })) {
      const cur = state.get(k(op.service));
      if (op.op === 'add-service') state.set(k(op.service), { ...op.service, dests: [] });
      else if (op.op === 'edit-service') state.set(k(op.service), { ...op.service, dests: cur!.dests });
      else if (op.op === 'delete-service') state.delete(k(op.service));
      else if (op.op === 'add-dest') cur!.dests.push(op.dest);
      else if (op.op === 'edit-dest') cur!.dests = cur!.dests.map((d) => (d.address === op.dest.address && d.port === op.dest.port ? op.dest : d));
      else cur!.dests = cur!.dests.filter((d) => !(d.address === op.dest.address && d.port === op.dest.port));
    }
    assert.deepEqual(reconcile(tc.desired, [...state.values()].map(entry)), [], tc.name);
  }
});

test('a real server the kernel forwards as "local" (one of our addresses) is not edited over and over', () => {
  const want = svc('10.0.0.1', 80, [dest('10.0.0.1')]);
  assert.deepEqual(reconcile([want], [entry(svc('10.0.0.1', 80, [dest('10.0.0.1', { forward: 'local' })]))]), []);
});

test('invalid desired state is refused as a whole before any operation, every problem listed', () => {
  const bad = [
    svc('10.0.0.1', 80, [dest('10.0.1.2', { weight: -1 }), dest('10.0.1.3', { upperThreshold: 5, lowerThreshold: 9 }), dest('2001:db8::1', { forward: 'masq' })]),
    svc('10.0.0.2', 70000, [dest('10.0.1.4', { forward: 'tunnel', tunnelType: 'gue' })], { netmask: 33 }),
  ];
  assert.deepEqual(problemsOf(bad), [
    'tcp 10.0.0.1:80: real server 10.0.1.2:80: weight -1 must be 0-65535',
    'tcp 10.0.0.1:80: real server 10.0.1.3:80: lower threshold 9 is above the upper threshold 5',
    'tcp 10.0.0.1:80: real server [2001:db8::1]:80: only tunnelled real servers may be of another address family',
    'tcp 10.0.0.2:70000: port must be 0-65535',
    'tcp 10.0.0.2:70000: persistence netmask /33 is out of range',
    'tcp 10.0.0.2:70000: real server 10.0.1.4:80: a GUE tunnel needs a tunnel port (1-65535)',
  ]);
});

/** The problems listed by the one 'ipvs-invalid' error that reconcile throws for this input. */
function problemsOf(desired: DesiredService[]): string[] | undefined {
  try {
    reconcile(desired, []);
  } catch (e) {
    assert.equal((e as { code?: string }).code, 'ipvs-invalid', String(e));
    return (e as { context: { problems: string[] } }).context.problems;
  }
  assert.fail('reconcile accepted invalid input');
}

test('unparseable addresses and unknown flags are listed with the other problems, not thrown one by one', () => {
  const bad = [
    svc('10.0.0.300', 80, [dest('10.0.1.2')]),
    svc('10.0.0.1', 80, [dest('10.0.1.x')], { flags: ['sticky' as never] }),
  ];
  assert.deepEqual(problemsOf(bad), [
    'tcp 10.0.0.300:80: address 10.0.0.300 is not IPv4',
    "tcp 10.0.0.1:80: unknown service flag 'sticky' (one of persistent, one-packet, sh-fallback, sh-port, mh-fallback, mh-port, flag-1, flag-2, flag-3)",
    'tcp 10.0.0.1:80: real server 10.0.1.x:80: address 10.0.1.x is not IPv4',
  ]);
});
