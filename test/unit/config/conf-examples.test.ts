// Every example under conf/ passes check with no error and no warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli.js';

const CONF = fileURLToPath(new URL('../../../conf/', import.meta.url));

test('conf/: holds the examples the issue asks for', () => {
  const files = readdirSync(CONF);
  for (const f of ['lvs-dr-http-master.conf', 'lvs-dr-http-master.yaml', 'lvs-dr-http-backup.conf', 'lvs-dr-http-backup.yaml', 'lvs-nat-mail.conf', 'fwmark-web.conf', 'unicast-tracked.conf']) {
    assert.ok(files.includes(f), f);
  }
});

// Sub-folders (conf/demo/ for the quick start) hold examples too; every configuration must pass
// (conf/ also holds other files: a systemd unit, a dashboard, Prometheus alerting rules, and
// BIRD/FRR routing daemon configs).
const examples = readdirSync(CONF, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && /\.(conf|ya?ml)$/.test(e.name) && !/^(bird|frr|prometheus)-/.test(e.name))
  .map((e) => join(e.parentPath, e.name).slice(CONF.length))
  .sort();

for (const f of examples) {
  test(`conf/: vipkeeper check --strict ${f}`, async () => {
    const out: string[] = [], err: string[] = [];
    const code = await main(['check', '--strict', '-f', join(CONF, f)], { out: (t) => out.push(t), err: (t) => err.push(t) });
    assert.deepEqual(err, []);
    assert.equal(code, 0);
    assert.match(out.join(''), / OK \(.*, 0 warnings\)/);
  });
}
