// The undici path's errors made while undici parses a reply carry no stack (src/check/http-fetch.ts
// stacklessParsing): undici destroys every checked connection with an InformationalError('reset')
// whose stack node formats at once, per check. The check's outcome is unchanged, and the stack
// limit is back to what it was afterwards. (HTTP_GET with bindto takes that path; plain HTTP_GET
// goes through the addon's exchanges and makes no error per check.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpCheck, RealServer, VirtualServer } from '../../../src/config/model.js';
import { httpProbe } from '../../../src/check/http.js';
import { stacklessParsing } from '../../../src/check/http-fetch.js';
import { HttpTarget } from '../../support/http-target.js';

const check: HttpCheck = {
  type: 'HTTP_GET', urls: [{ path: '/health', statusCodes: [[200, 299]] }], httpProtocol: '1.0', enableSni: false, bindTo: '127.0.0.1',
  connectTimeoutMs: 2000, retry: 1, delayBeforeRetryMs: 3000, delayLoopMs: 60000, warmupMs: 0, alpha: false,
};

test('the per-check reset error is formatted without stack frames; outcomes as before', async () => {
  const s = await HttpTarget.start({});
  after(() => s.close());
  const frames: number[] = [];
  const saved = Error.prepareStackTrace;
  // Records, for each undici informational error whose stack is read, how many frames it had.
  Error.prepareStackTrace = (err, calls) => {
    if ((err as { code?: string }).code === 'UND_ERR_INFO') frames.push(calls.length);
    return `${String(err)}${calls.map((c) => `\n    at ${String(c)}`).join('')}`;
  };
  try {
    const p = httpProbe(check, { vs: {} as VirtualServer, rs: {} as RealServer, target: { address: s.host, family: 4, port: s.port } });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await p.run();
        assert.equal(r.ok, true, r.reason);
        assert.equal(r.code, 'ok');
      }
    } finally { p.close(); }
  } finally { Error.prepareStackTrace = saved; }
  assert.ok(frames.length >= 3, `reset errors seen: ${frames.length}`);
  assert.deepEqual(frames.filter((n) => n > 0), []);
  assert.equal(Error.stackTraceLimit, 10);
});

test('only the readable event runs stackless, and the limit is restored even when a listener throws', () => {
  const seen: Record<string, number> = {};
  const sock = {
    emit(ev: string | symbol, ..._args: unknown[]): boolean {
      seen[String(ev)] = Error.stackTraceLimit;
      if (ev === 'readable') throw new Error('listener bug');
      return true;
    },
  };
  stacklessParsing(sock);
  assert.equal(sock.emit('data', Buffer.alloc(1)), true);
  assert.throws(() => sock.emit('readable'), /listener bug/);
  assert.deepEqual(seen, { data: 10, readable: 0 });
  assert.equal(Error.stackTraceLimit, 10);
});
