// Runs against the real kernel without privileges: reading rtnetlink needs none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NLM_F, NLMSG, encodeMessage } from '../../../src/codec/netlink/message.js';
import { RTM, decodeLink, encodeLinkRequest } from '../../../src/codec/netlink/rtnl.js';
import { SysError } from '../../../src/lib/errors.js';
import { NETLINK_ROUTE, NetlinkSocket } from '../../../src/net/netlink-socket.js';
import { K, native } from '../../../src/net/native.js';
import { sockaddrNl } from '../../../src/net/sockaddr.js';
import { needRoot } from '../../support/privileged.js';

test('a link dump resolves with every link once NLMSG_DONE arrives', async () => {
  const s = NetlinkSocket.open(NETLINK_ROUTE);
  try {
    assert.ok(s.pid > 0, 'the kernel assigned a port id');
    const msgs = await s.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest());
    const links = msgs.map(decodeLink);
    assert.ok(links.some((l) => l.name === 'lo' && l.index === 1));
    assert.ok(msgs.every((m) => m.type === RTM.NEWLINK), 'DONE is not part of the result');
    assert.equal(s.inFlight, 0);
  } finally { s.close(); }
});

test('concurrent requests, dumps included, each get their own answer', async () => {
  const s = NetlinkSocket.open(NETLINK_ROUTE);
  try {
    const [a, b, c, d] = await Promise.all([
      s.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest()),
      s.request(RTM.GETLINK, 0, encodeLinkRequest({ index: 1 })),
      s.request(RTM.GETADDR, NLM_F.DUMP, Buffer.alloc(8)),
      s.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest()),
    ]);
    assert.equal(a.length, d.length);
    assert.equal(b.length, 1);
    assert.equal(decodeLink(b[0]!).name, 'lo');
    assert.ok(c.every((m) => m.type === RTM.NEWADDR));
  } finally { s.close(); }
});

test('a kernel error rejects with a SysError naming the operation and the errno', async () => {
  const s = NetlinkSocket.open(NETLINK_ROUTE);
  try {
    await assert.rejects(s.request(RTM.GETLINK, 0, encodeLinkRequest({ index: 0x7ffffff0 }), { op: 'get link 2147483632' }), (e: unknown) => {
      assert.ok(e instanceof SysError);
      assert.equal(e.code, 'ENODEV');
      assert.equal(e.op, 'get link 2147483632');
      assert.match(e.message, /^get link 2147483632: ENODEV \(no such network device\)/);
      return true;
    });
  } finally { s.close(); }
});

test('close rejects requests in flight; requests after close reject; closing twice is harmless', async () => {
  const s = NetlinkSocket.open(NETLINK_ROUTE);
  const p = s.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest());
  s.close();
  s.close();
  await assert.rejects(p, (e: unknown) => e instanceof SysError && e.code === 'EBADF');
  await assert.rejects(s.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest()), (e: unknown) => e instanceof SysError && e.code === 'EBADF');
  assert.throws(() => s.subscribe(1), (e: unknown) => e instanceof SysError && e.code === 'EBADF');
});

test('the addon: errno names as codes, and a throwing callback does not stop delivery', async () => {
  const n = native();
  assert.throws(() => n.close(-1), (e: unknown) => (e as { code: string }).code === 'EBADF');
  assert.throws(() => n.socket(4242, K('SOCK_RAW'), 0), (e: unknown) => (e as { code: string }).code === 'EAFNOSUPPORT');
  assert.throws(() => n.sendto(1, Buffer.alloc(1), null), /EBADF/, 'fds the addon did not open are refused');
  const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  n.bind(fd, sockaddrNl());
  assert.throws(() => n.startReceive(fd, 'not a function' as never), /callback function/);
  let calls = 0;
  const done = new Promise<void>((resolve) => {
    n.startReceive(fd, (err, data) => {
      calls++;
      if (!err && data && data.readUInt16LE(4) === NLMSG.DONE) resolve();
      throw new Error('callback failure must stay in JavaScript land');
    });
  });
  n.sendto(fd, encodeMessage({ type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.DUMP, seq: 1, pid: 0, payload: encodeLinkRequest() }), sockaddrNl());
  await done;
  assert.ok(calls >= 1);
  n.close(fd);
  assert.throws(() => n.close(fd), (e: unknown) => (e as { code: string }).code === 'EBADF');
  assert.throws(() => n.sendto(fd, Buffer.alloc(4), null), (e: unknown) => (e as { code: string }).code === 'EBADF');
  assert.throws(() => n.recvNow(fd), (e: unknown) => (e as { code: string }).code === 'EBADF');
});

test('recvNow returns queued datagrams and null when nothing is queued', async () => {
  const n = native();
  const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  try {
    n.bind(fd, sockaddrNl());
    assert.equal(n.recvNow(fd), null);
    n.sendto(fd, encodeMessage({ type: RTM.GETLINK, flags: NLM_F.REQUEST, seq: 9, pid: 0, payload: encodeLinkRequest({ index: 1 }) }), sockaddrNl());
    let got = null;
    for (let i = 0; i < 100 && !got; i++) { got = n.recvNow(fd); if (!got) await new Promise((r) => setTimeout(r, 5)); }
    assert.ok(got);
    assert.equal(got[0].readUInt32LE(8), 9, 'our sequence number');
    assert.equal(got[0].readUInt16LE(4), RTM.NEWLINK);
  } finally { n.close(fd); }
});

test('an idle netlink socket does not keep the process alive; one waiting for an answer does', async () => {
  const { spawnSync } = await import('node:child_process');
  const src = new URL('../../../src/net/', import.meta.url).href;
  const code = `
    import { Rtnl } from '${src}rtnl.ts';
    const r = Rtnl.open();
    const links = await r.listLinks();
    console.log(links.length > 0 ? 'listed' : 'empty');`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 15000 });
  assert.equal(res.signal, null, 'exited on its own (not killed at the timeout)');
  assert.equal(res.stdout.trim(), 'listed', res.stderr);
});

test('replies the kernel dropped on a full receive queue fail fast with ENOBUFS instead of timing out', async () => {
  // Each GETLINK answer is a kilobyte or more: 64 of them sent at once overflow a 4 KiB queue.
  const s = NetlinkSocket.open(NETLINK_ROUTE, { rcvbuf: 4096 });
  try {
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 64 }, () =>
      s.request(RTM.GETLINK, 0, encodeLinkRequest({ index: 1 }), { op: 'get link 1', timeoutMs: 4000 }).then(() => 'ok', (e: SysError) => e.code)));
    const count = (c: string): number => results.filter((r) => r === c).length;
    assert.ok(count('ok') >= 1, `some answers fit: ${results.join(' ')}`);
    assert.ok(count('ENOBUFS') >= 1, `the lost ones say ENOBUFS: ${results.join(' ')}`);
    assert.equal(count('ok') + count('ENOBUFS'), 64, results.join(' '));
    assert.ok(Date.now() - t0 < 3500, 'settled before the request timeout');
    assert.equal(s.inFlight, 0);
    // The socket still works afterwards.
    assert.equal((await s.request(RTM.GETLINK, 0, encodeLinkRequest({ index: 1 }))).length, 1);
  } finally { s.close(); }
});

test('messages from another process (not the kernel, port 0) are dropped and counted, never taken as notifications', async (t) => {
  // Sending to another process's netlink port needs CAP_NET_ADMIN.
  if (!needRoot(t)) return;
  const s = NetlinkSocket.open(NETLINK_ROUTE);
  const n = native();
  const forger = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), NETLINK_ROUTE);
  try {
    const seen: number[] = [];
    s.onNotification((m) => seen.push(m.type));
    const fake = encodeMessage({ type: RTM.NEWLINK, flags: 0, seq: 0, pid: 0, payload: encodeLinkRequest({ index: 1 }) });
    n.sendto(forger, fake, sockaddrNl(s.pid, 0));
    // A request after the forgery: its answer arrives behind it, so the forgery has been read.
    await s.request(RTM.GETLINK, 0, encodeLinkRequest({ index: 1 }));
    assert.deepEqual(seen, []);
    assert.deepEqual(s.dropped, { malformed: 0, foreignSender: 1 });
  } finally { n.close(forger); s.close(); }
});

test('a batch is one datagram: the kernel answers each failed request and the last, in order', async () => {
  const s = NetlinkSocket.open(NETLINK_ROUTE);
  try {
    const ok = encodeLinkRequest({ index: 1 }), missing = encodeLinkRequest({ index: 0x7ffffff0 });
    const r = await s.batch(RTM.GETLINK, [ok, missing, ok, missing], { ops: (i) => `get link ${i}` });
    assert.deepEqual(r.map((e) => e && (e as SysError).errno), [undefined, 'ENODEV', undefined, 'ENODEV']);
    assert.match(String(r[1]), /^SysError: get link 1: ENODEV/);
    assert.deepEqual(await s.batch(RTM.GETLINK, [ok, ok], { ops: (i) => `get link ${i}` }), [undefined, undefined]);
    assert.equal(s.inFlight, 0);
    // The replies to the successful gets (the links) belong to no request: they are dropped, not notifications.
    assert.deepEqual(s.dropped, { malformed: 0, foreignSender: 0 });
  } finally { s.close(); }
});
