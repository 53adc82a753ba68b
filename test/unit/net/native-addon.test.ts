// The C addon's lifetime rules, without privileges (netlink route sockets need none): sockets left
// open by a worker thread, closing from inside the receive callback, argument checking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NLM_F, NLMSG, encodeMessage } from '../../../src/codec/netlink/message.js';
import { RTM, encodeLinkRequest } from '../../../src/codec/netlink/rtnl.js';
import { K, native, sys } from '../../../src/net/native.js';
import { SysError } from '../../../src/lib/errors.js';
import { sockaddrNl } from '../../../src/net/sockaddr.js';

const ADDON = fileURLToPath(new URL('../../../build/Release/vipkeeper_sock.node', import.meta.url));
const dumpLinks = (seq: number): Buffer => encodeMessage({ type: RTM.GETLINK, flags: NLM_F.REQUEST | NLM_F.DUMP, seq, pid: 0, payload: encodeLinkRequest() });

test('a worker thread that ends with sockets still open and watched does not abort the process', () => {
  // libuv refuses to close a loop with live handles: without the addon's cleanup hook Node aborts.
  const code = `
    const { Worker } = require('node:worker_threads');
    const body = (how) => \`
      const n = require(${JSON.stringify(ADDON)});
      const { parentPort } = require('node:worker_threads');
      const fds = [0, 1, 2].map(() => n.socket(n.constants.AF_NETLINK, n.constants.SOCK_RAW, 0));
      fds.forEach((fd) => n.startReceive(fd, () => {}));
      n.close(fds[1]);
      if ('\${how}' === 'natural') fds.forEach((fd, i) => i !== 1 && n.ref(fd, false));
      if ('\${how}' === 'exit') process.exit(0);
      parentPort.postMessage(fds);\`;
    const ends = ['terminate', 'natural', 'exit'].map((how) => {
      const w = new Worker(body(how), { eval: true });
      w.on('message', () => { if (how === 'terminate') w.terminate(); });
      return new Promise((r) => w.on('exit', r));
    });
    Promise.all(ends).then(() => console.log('main alive'));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 15000 });
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'main alive');
});

test('closing the socket from inside its callback stops delivery, and the fd can be opened and watched again', async () => {
  const n = native();
  const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  n.bind(fd, sockaddrNl());
  let calls = 0;
  await new Promise<void>((resolve) => {
    n.startReceive(fd, () => { calls++; n.close(fd); setTimeout(resolve, 50); });
    // A dump of every link arrives as several datagrams: only the first may be delivered.
    n.sendto(fd, dumpLinks(1), sockaddrNl());
  });
  assert.equal(calls, 1);
  const again = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  try {
    n.bind(again, sockaddrNl());
    const done = new Promise<void>((resolve) => {
      n.startReceive(again, (err, data) => { if (!err && data!.readUInt16LE(4) === NLMSG.DONE) resolve(); });
    });
    n.sendto(again, dumpLinks(2), sockaddrNl());
    await done;
  } finally { n.close(again); }
});

test('the addon checks its arguments instead of reading garbage', () => {
  const n = native();
  const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  try {
    n.startReceive(fd, () => {});
    assert.throws(() => n.ref(fd, 'yes' as never), /boolean/);
    assert.throws(() => n.bind(fd, 'not a buffer' as never), /Buffer/);
    assert.throws(() => n.setsockopt(fd, 0, 0, {} as never), /Buffer/);
    assert.throws(() => (n.sendto as (...a: unknown[]) => number)(fd), /missing arguments/);
  } finally { n.close(fd); }
});

test('toSysError keeps the addon\'s word on which argument was wrong', () => {
  const n = native();
  const fd = n.socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  try {
    assert.throws(() => sys('bind netlink socket', () => n.bind(fd, 42 as never)), (e: unknown) => {
      assert.ok(e instanceof SysError);
      assert.equal(e.code, 'EINVAL');
      assert.match(e.message, /^bind netlink socket: EINVAL \(invalid argument\): expected a Buffer$/);
      return true;
    });
    assert.throws(() => sys('close twice', () => n.close(-5)), /^SysError: close twice: EBADF \(socket is closed\)$|close twice: EBADF \(socket is closed\)$/);
  } finally { n.close(fd); }
});

test('every copy of the loader (one per bundle) gets the one addon: a socket opened through one closes through another', async () => {
  // A second instance of the module, as each CommonJS bundle and the ES chunks carry their own.
  const copy = await import(`../../../src/net/native.js?copy=${process.pid}`) as typeof import('../../../src/net/native.js');
  assert.notEqual(copy.native, native, 'a module of its own');
  assert.equal(copy.native(), native());
  const fd = native().socket(K('AF_NETLINK'), K('SOCK_RAW'), 0);
  copy.native().close(fd);
  assert.throws(() => native().close(fd), /EBADF/, 'closed already: the same table of sockets');
});
