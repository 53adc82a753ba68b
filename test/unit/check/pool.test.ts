// Pool evaluation: quorum with hysteresis, sorry server (+ inhibit), inhibit_on_failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePool, initialPoolState, type RsView } from '../../../src/check/pool.js';
import type { RealServer, SorryServer } from '../../../src/config/model.js';

const rs = (last: number, extra: Partial<RealServer> = {}): RealServer => ({
  address: `10.0.0.${last}`, family: 4, port: 80, weight: 1, lbKind: 'DR', inhibitOnFailure: false,
  upperThreshold: 0, lowerThreshold: 0, checkers: [], ...extra,
});
const view = (r: RealServer, up: boolean, weight = r.weight): RsView => ({ rs: r, up, weight });
const sorry: SorryServer = { address: '10.0.9.9', family: 4, port: 8080, lbKind: 'NAT', inhibit: false };
const addrs = (r: ReturnType<typeof evaluatePool>) => r.dests.map((d) => `${d.address}:${d.port}/${d.weight}/${d.forward}`);

test('all up: every real server with its weight and forwarding; no event', () => {
  const r = evaluatePool({ quorum: 1, hysteresis: 0 }, [view(rs(1), true, 3), view(rs(2, { lbKind: 'NAT' }), true)], initialPoolState());
  assert.deepEqual(addrs(r), ['10.0.0.1:80/3/route', '10.0.0.2:80/1/masq']);
  assert.deepEqual(r.events, []);
  assert.equal(r.state.quorumUp, true);
});

test('a dead server leaves, or stays at weight 0 with inhibit_on_failure', () => {
  const r = evaluatePool({ quorum: 1, hysteresis: 0 }, [view(rs(1), false), view(rs(2, { inhibitOnFailure: true }), false), view(rs(3), true)], initialPoolState());
  assert.deepEqual(addrs(r), ['10.0.0.2:80/0/route', '10.0.0.3:80/1/route']);
});

test('losing quorum brings the sorry server and removes the live servers; regaining it reverses that', () => {
  const vs = { quorum: 2, hysteresis: 0, sorryServer: sorry };
  const down = evaluatePool(vs, [view(rs(1), true), view(rs(2), false)], initialPoolState());
  assert.deepEqual(down.events.map((e) => [e.type, e.weightSum, e.threshold]), [['quorum-down', 1, 2]]);
  assert.equal(down.sorryActive, true);
  assert.deepEqual(addrs(down), ['10.0.9.9:8080/1/masq']);
  const up = evaluatePool(vs, [view(rs(1), true), view(rs(2), true)], down.state);
  assert.deepEqual(up.events.map((e) => e.type), ['quorum-up']);
  assert.deepEqual(addrs(up), ['10.0.0.1:80/1/route', '10.0.0.2:80/1/route']);
});

test('without a sorry server, losing quorum keeps the live servers (only the event)', () => {
  const r = evaluatePool({ quorum: 3, hysteresis: 0 }, [view(rs(1), true), view(rs(2), true)], initialPoolState());
  assert.deepEqual(r.events.map((e) => e.type), ['quorum-down']);
  assert.deepEqual(addrs(r), ['10.0.0.1:80/1/route', '10.0.0.2:80/1/route']);
});

test('sorry_server_inhibit keeps the sorry server at weight 0 while the pool has quorum', () => {
  const vs = { quorum: 1, hysteresis: 0, sorryServer: { ...sorry, inhibit: true } };
  assert.deepEqual(addrs(evaluatePool(vs, [view(rs(1), true)], initialPoolState())), ['10.0.0.1:80/1/route', '10.0.9.9:8080/0/masq']);
  assert.deepEqual(addrs(evaluatePool(vs, [view(rs(1), false)], initialPoolState())), ['10.0.9.9:8080/1/masq']);
});

test('hysteresis: lose below quorum - h, regain only at quorum + h', () => {
  const vs = { quorum: 3, hysteresis: 1 };
  const servers = [1, 2, 3, 4].map((i) => rs(i));
  const with_ = (n: number) => servers.map((s, i) => view(s, i < n));
  let st = initialPoolState();
  const seq: string[] = [];
  for (const n of [4, 3, 2, 1, 2, 3, 4, 3, 2]) {
    const r = evaluatePool(vs, with_(n), st);
    st = r.state;
    seq.push(`${n}:${st.quorumUp ? 'up' : 'down'}${r.events.length ? '!' : ''}`);
  }
  assert.deepEqual(seq, ['4:up', '3:up', '2:up', '1:down!', '2:down', '3:down', '4:up!', '3:up', '2:up']);
});

test('a pool with no live weight loses quorum even at quorum 0 - hysteresis', () => {
  const r = evaluatePool({ quorum: 1, hysteresis: 5, sorryServer: sorry }, [view(rs(1), false)], initialPoolState());
  assert.deepEqual(r.events.map((e) => e.type), ['quorum-down']);
  assert.equal(r.sorryActive, true);
});

test('dynamic weights count towards quorum', () => {
  const r = evaluatePool({ quorum: 10, hysteresis: 0 }, [view(rs(1), true, 4), view(rs(2), true, 5)], initialPoolState());
  assert.deepEqual(r.events.map((e) => [e.type, e.weightSum]), [['quorum-down', 9]]);
});
