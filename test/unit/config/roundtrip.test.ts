// convert round trips: keepalived.conf -> YAML -> model equals keepalived.conf -> model, for every
// example in conf/ and every golden config; and each conf/ YAML twin equals its .conf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { finishConfig, loadConfig, loadConfigText, readConfig } from '../../../src/config/load.js';
import { toYaml } from '../../../src/cli/commands/convert.js';
import { readKeepalived } from '../../../src/config/keepalived/translate.js';
import { FULL_CHECKERS, FULL_LVS, FULL_VRRP } from './fixtures.js';
import { errors, load } from './helpers.js';

const CONF = fileURLToPath(new URL('../../../conf/', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../fixtures/golden/vrrp/', import.meta.url));

const keepalivedFiles = [
  ...readdirSync(CONF).filter((f) => f.endsWith('.conf')).map((f) => join(CONF, f)),
  ...readdirSync(GOLDEN).filter((f) => f.endsWith('.keepalived.conf')).map((f) => join(GOLDEN, f)),
];

test('round trip: there is something to convert', () => {
  assert.ok(keepalivedFiles.length >= 10, keepalivedFiles.join('\n'));
});

for (const file of keepalivedFiles) {
  test(`round trip: ${file.split('/').slice(-2).join('/')}`, async () => {
    const read = await readConfig(file);
    const direct = finishConfig(read, file);
    assert.deepEqual(errors(direct), []);
    const yaml = toYaml(read.input!, file);
    const back = loadConfigText('converted.yaml', yaml);
    assert.deepEqual(errors(back), [], yaml);
    assert.deepEqual(back.model, direct.model);
  });
}

for (const [name, text] of [['LVS', FULL_LVS], ['VRRP', FULL_VRRP], ['checker and IPVS-global', FULL_CHECKERS]] as const) {
  test(`round trip: a config using every ${name} keyword survives conversion`, () => {
    const direct = load(text);
    assert.deepEqual(errors(direct), []);
    const read = readKeepalived('full.conf', text, { strict: false });
    const yaml = toYaml(read.input!, 'full.conf');
    const back = loadConfigText('full.yaml', yaml);
    assert.deepEqual(errors(back), [], yaml);
    assert.deepEqual(back.model, direct.model);
  });
}

for (const f of readdirSync(CONF).filter((x) => x.endsWith('.yaml'))) {
  const twin = join(CONF, f.replace(/\.yaml$/, '.conf'));
  if (!existsSync(twin)) continue;
  test(`conf twins: ${f} and its .conf give the same model`, async () => {
    const a = await loadConfig(join(CONF, f));
    const b = await loadConfig(twin);
    assert.deepEqual(errors(a), []);
    assert.ok(a.model);
    assert.deepEqual(a.model, b.model);
  });
}
