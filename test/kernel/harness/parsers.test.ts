// Pure parts of the VM harness: serial console markers, TAP failure names, module selection and
// apt-cache output. No root, no VM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleLines, SerialParser, tapFailures, tapSkips } from './serial.js';
import { moduleName, selectModules } from './modules.js';
import { parseImageDependency, parseVersion } from './kernel.js';

test('serial parser splits CRLF lines across chunks and finds this run\'s markers', () => {
  const p = new SerialParser('abc');
  const ev = [
    ...p.push('hello\r\nwor'),
    ...p.push('ld\r\nVIPKEEPER-VM-READY 3.25\r\n'),
    ...p.push('VIPKEEPER-VM-EXIT other 0\r\n'), // another nonce: plain output
    ...p.push('VIPKEEPER-VM-EXIT abc 7\r\ntail'),
    ...p.flush(),
  ];
  assert.deepEqual(ev, [
    { kind: 'line', text: 'hello' },
    { kind: 'line', text: 'world' },
    { kind: 'ready', uptimeSec: 3.25 },
    { kind: 'line', text: 'VIPKEEPER-VM-EXIT other 0' },
    { kind: 'exit', status: 7 },
    { kind: 'line', text: 'tail' },
  ]);
});

test('serial parser finds the exit marker behind a kernel message on the same line', () => {
  const p = new SerialParser('n1');
  assert.deepEqual(p.push('[  61.2] reboot: Power down VIPKEEPER-VM-EXIT n1 0\r\n'), [{ kind: 'exit', status: 0 }]);
  assert.deepEqual(p.push('x VIPKEEPER-VM-EXIT n2 0\r\n'), [{ kind: 'line', text: 'x VIPKEEPER-VM-EXIT n2 0' }]);
});

test('console lines: blank lines kept, the one before the exit marker and all after it dropped', () => {
  const table: { events: string; lines: string[]; status: number | undefined }[] = [
    { events: 'a,,b,,EXIT0,poweroff', lines: ['a', '', 'b'], status: 0 },
    { events: 'a,,,EXIT3', lines: ['a', ''], status: 3 },
    { events: 'READY,a,EXIT1,,x', lines: ['a'], status: 1 },
    { events: 'a,,b', lines: ['a', '', 'b'], status: undefined },
  ];
  for (const { events, lines, status } of table) {
    const c = new ConsoleLines();
    const got = events.split(',').flatMap((e) => c.accept(
      e.startsWith('EXIT') ? { kind: 'exit', status: Number(e.slice(4)) }
        : e === 'READY' ? { kind: 'ready', uptimeSec: 1 } : { kind: 'line', text: e },
    ));
    assert.deepEqual(got, lines, events);
    assert.equal(c.status, status, events);
  }
});

const TAP = `TAP version 13
# Subtest: test/kernel/inside/a.test.ts
    # Subtest: every scheduler
        # Subtest: rr
        ok 1 - rr
        # Subtest: mh
        not ok 2 - mh
          ---
          location: '/project/test/kernel/inside/a.test.ts:12:5'
          error: 'boom'
          ...
        1..2
    not ok 1 - every scheduler
    # Subtest: todo one
    not ok 2 - todo one # TODO later
    1..2
not ok 1 - test/kernel/inside/a.test.ts
# Subtest: test/kernel/inside/b.test.ts
not ok 2 - test/kernel/inside/b.test.ts
  ---
  error: 'test failed'
  ...
# Subtest: test/kernel/inside/c.test.ts
ok 3 - test/kernel/inside/c.test.ts
1..3
# pass 1
# fail 2
`;

test('TAP failures name the innermost failing tests with their path, TODO excluded', () => {
  assert.deepEqual(tapFailures(TAP), [
    'test/kernel/inside/a.test.ts > every scheduler > mh (test/kernel/inside/a.test.ts:12)',
    'test/kernel/inside/b.test.ts',
  ]);
  assert.deepEqual(tapFailures('TAP version 13\nok 1 - x\n1..1\n'), []);
});

test('TAP skips are named with their reason and the summary count is read', () => {
  const tap = `TAP version 13
# Subtest: test/kernel/inside/a.test.ts
    # Subtest: needs ipvs
    ok 1 - needs ipvs # SKIP ip_vs not loaded
    # Subtest: runs
    ok 2 - runs
    1..2
ok 1 - test/kernel/inside/a.test.ts
1..1
# pass 1
# skipped 1
`;
  assert.deepEqual(tapSkips(tap), { names: ['test/kernel/inside/a.test.ts > needs ipvs: ip_vs not loaded'], summary: 1 });
  assert.deepEqual(tapSkips(TAP), { names: [], summary: 0 });
});

const DEP = `kernel/net/netfilter/ipvs/ip_vs.ko: kernel/net/netfilter/nf_conntrack.ko kernel/lib/libcrc32c.ko
kernel/net/netfilter/ipvs/ip_vs_rr.ko: kernel/net/netfilter/ipvs/ip_vs.ko kernel/net/netfilter/nf_conntrack.ko kernel/lib/libcrc32c.ko
kernel/net/netfilter/nf_conntrack.ko: kernel/lib/libcrc32c.ko
kernel/lib/libcrc32c.ko:
kernel/drivers/net/dummy.ko:
kernel/net/ipv4/ip-tunnel-x.ko.xz:
`;

test('module selection is the dependency closure, each file once, unknown names reported', () => {
  const sel = selectModules(DEP, ['ip_vs_rr', 'ip_vs', 'ip_tunnel_x', 'nope']);
  assert.deepEqual(sel.paths, [
    'kernel/lib/libcrc32c.ko',
    'kernel/net/ipv4/ip-tunnel-x.ko.xz',
    'kernel/net/netfilter/ipvs/ip_vs.ko',
    'kernel/net/netfilter/ipvs/ip_vs_rr.ko',
    'kernel/net/netfilter/nf_conntrack.ko',
  ]);
  assert.deepEqual(sel.unknown, ['nope']);
  assert.equal(moduleName('a/b/ip-tunnel-x.ko.zst'), 'ip_tunnel_x');
});

test('apt-cache output: the image package of the meta package, and its version', () => {
  const depends = 'linux-image-cloud-amd64\n  Depends: linux-image-6.1.0-56-cloud-amd64\n';
  assert.equal(parseImageDependency(depends), 'linux-image-6.1.0-56-cloud-amd64');
  assert.equal(parseImageDependency('linux-image-cloud-amd64\n'), undefined);
  assert.equal(parseVersion('Package: x\nVersion: 6.1.192-2\nSize: 1\n'), '6.1.192-2');
});
