import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtnlLinks } from '../../../src/adapters/links.js';
import { Rtnl, type RtnlEvent } from '../../../src/net/rtnl.js';
import { SysError } from '../../../src/lib/errors.js';
import { MemoryLogger } from '../../../src/ports/fake/logger.js';

test('links adapter: a failing re-list after an overrun is logged, never an unhandled rejection', async () => {
  let emit: ((e: RtnlEvent) => void) | undefined;
  const orig = Rtnl.subscribe;
  (Rtnl as unknown as { subscribe: unknown }).subscribe = (cb: (e: RtnlEvent) => void) => { emit = cb; return { close() {} }; };
  const rejections: unknown[] = [];
  const onRej = (r: unknown): void => { rejections.push(r); };
  process.on('unhandledRejection', onRej);
  try {
    let calls = 0;
    const rtnl = {
      listLinks: async () => {
        if (calls++ > 0) throw new SysError('list links', 'ENOBUFS');
        return [{ name: 'eth0', index: 2, up: true, lowerUp: true }];
      },
      listAddresses: async () => [],
    } as unknown as Rtnl;
    const log = new MemoryLogger();
    const links = await RtnlLinks.open(rtnl, log);
    assert.equal(links.ifindex('eth0'), 2);
    emit!({ type: 'overrun' });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(rejections, []);
    const r = log.records.find((x) => x.level === 'error');
    assert.ok(r, 'logged');
    assert.equal(r['code'], 'ENOBUFS');
    assert.equal(links.ifindex('eth0'), 2, 'the cache is kept');
    links.close();
  } finally {
    (Rtnl as unknown as { subscribe: unknown }).subscribe = orig;
    process.off('unhandledRejection', onRej);
  }
});
