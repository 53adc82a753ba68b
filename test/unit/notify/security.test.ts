import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unsafeReason, type StatLike } from '../../../src/notify/security.js';

const f = (uid: number, mode: number, dir = false): StatLike => ({ uid, mode, isDirectory: () => dir });
const tree = (over: Record<string, StatLike>) => (p: string) => ({ '/': f(0, 0o755, true), '/etc': f(0, 0o755, true), '/etc/k': f(0, 0o755, true), '/etc/k/s.sh': f(0, 0o755), '/tmp': f(0, 0o1777, true), '/tmp/s.sh': f(0, 0o755), ...over } as Record<string, StatLike>)[p];

for (const [name, over, path, want] of [
  ['root-owned script in root dirs', {}, '/etc/k/s.sh', undefined],
  ['world-writable script', { '/etc/k/s.sh': f(0, 0o757) }, '/etc/k/s.sh', /writable by others/],
  ['group-writable script', { '/etc/k/s.sh': f(0, 0o775) }, '/etc/k/s.sh', /writable by its group/],
  ['script owned by a user', { '/etc/k/s.sh': f(1000, 0o755) }, '/etc/k/s.sh', /owned by uid 1000/],
  ['world-writable directory above', { '/etc/k': f(0, 0o777, true) }, '/etc/k/s.sh', /^\/etc\/k: writable/],
  ['sticky /tmp is fine for a root file', {}, '/tmp/s.sh', undefined],
  ['missing file', {}, '/etc/k/none.sh', /no such file/],
  ['relative path', {}, 's.sh', /absolute/],
] as const) {
  test(`script security: ${name}`, () => {
    const r = unsafeReason(path, { stat: tree(over as Record<string, StatLike>), runAsUid: 0 });
    if (want === undefined) assert.equal(r, undefined);
    else assert.match(r ?? '', want);
  });
}
