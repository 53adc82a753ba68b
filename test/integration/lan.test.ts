import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needRoot } from '../support/privileged.js';
import { Lan, sh } from '../support/netns.js';

test('test LAN: two hosts on a bridge reach each other and are removed afterwards', (t) => {
  if (!needRoot(t, 'ip', 'ping')) return;
  const lan = new Lan();
  let names: string[] = [];
  try {
    const a = lan.addHost('a', ['10.77.0.1/24']);
    lan.addHost('b', ['10.77.0.2/24']);
    a.run('ping', '-c', '1', '-W', '2', '10.77.0.2');
    names = [...lan.hosts.values()].map((h) => h.ns).concat(lan.bridgeNs);
  } finally {
    lan.destroy();
  }
  const left = sh('ip', ['netns', 'list']);
  for (const n of names) assert.ok(!left.includes(n), `${n} still exists`);
});
