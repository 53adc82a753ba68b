// Bad input never throws: seeded random keepalived.conf and YAML text built from real keywords,
// values and braces always comes back as diagnostics (or a model), never as an exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';
import { FULL_LVS } from './fixtures.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const WORDS = [...new Set(FULL_LVS.split(/\s+/).filter(Boolean)), 'vrrp_instance', 'vrrp_script', 'vrrp_sync_group', 'global_defs',
  'virtual_ipaddress', 'unicast_peer', 'track_script', 'group', 'include', '$X=1', '$X', '@host', '"quoted word"', '"', '{', '}', '{', '}',
  '-1', '0', '4294967296', '1e9', 'NaN', '::', '10.0.0.1/99', 'fe80::1%eth0', '#', '!', '\t', '\u00e9',
  // command lines (re-read with shell-like quoting), multi-line and nested parameters, brace globs
  'notify', 'script', "'", '\\', '$Y=$X \\', '${X}', 'x{a,b}', '10.0.0.1-300',
  // repetition and conditional parameters (keepalived 2.2)
  '~SEQ(i, 1, 3)', '~SEQx(h, 1, 0x10)', '~LST(j, a, b)', '~LST({a, b}, {1, 2})', '${i}', '${j}', '@^host', '$P=@host', '$P', '~SEQ(', ')'];

test('robust: random keepalived.conf never throws', () => {
  const rand = rng(1234);
  for (let n = 0; n < 300; n++) {
    const lines: string[] = [];
    const count = 1 + Math.floor(rand() * 40);
    for (let i = 0; i < count; i++) {
      const k = 1 + Math.floor(rand() * 4);
      lines.push(Array.from({ length: k }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' '));
    }
    const text = lines.join('\n');
    let r;
    assert.doesNotThrow(() => { r = loadConfigText('/nonexistent-dir/fuzz.conf', text); }, text);
    assert.ok(Array.isArray(r!.diagnostics));
  }
});

test('robust: mutated valid keepalived.conf never throws', () => {
  const rand = rng(99);
  const base = FULL_LVS.split(/(\s+)/);
  for (let n = 0; n < 200; n++) {
    const parts = [...base];
    for (let m = 0; m < 3; m++) {
      const i = Math.floor(rand() * parts.length);
      parts[i] = WORDS[Math.floor(rand() * WORDS.length)]!;
    }
    const text = parts.join('');
    assert.doesNotThrow(() => loadConfigText('m.conf', text), text);
  }
});

test('robust: random YAML never throws', () => {
  const rand = rng(7);
  const keys = ['global', 'vrrpInstances', 'virtualServers', 'name', 'vrid', 'realServers', 'checkers', 'type', 'address', 'port', 'x-a'];
  const vals = ['1', '-5', '"x"', '[]', '{}', 'null', '~', 'TCP_CHECK', '10.0.0.1', '*a', '&a 3', '[1, {a: 2}]', '- ', ': ', '|', "'", '"'];
  for (let n = 0; n < 300; n++) {
    const lines: string[] = [];
    for (let i = 0; i < 1 + Math.floor(rand() * 20); i++) {
      const indent = ' '.repeat(2 * Math.floor(rand() * 4));
      const dash = rand() < 0.3 ? '- ' : '';
      lines.push(`${indent}${dash}${keys[Math.floor(rand() * keys.length)]}: ${vals[Math.floor(rand() * vals.length)]}`);
    }
    const text = lines.join('\n');
    assert.doesNotThrow(() => loadConfigText('f.yaml', text), text);
  }
});
