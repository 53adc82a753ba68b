// conf/scale-out/director-a.{yaml,conf}: both forms give the same announcements, valid against
// the rest of the same file, and the service uses `mh` (docs/scale-out.md relies on it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { lexKeepalived } from '../../../src/config/keepalived/lexer.js';
import { parseLines } from '../../../src/config/keepalived/parser.js';
import { Ctx, type Obj } from '../../../src/config/keepalived/context.js';
import { ANNOUNCEMENTS_KEYWORD, translateAnnouncements } from '../../../src/config/keepalived/announcements.js';
import { buildAnnouncements, checkAnnouncements, type AnnouncementsInput } from '../../../src/config/announcements.js';
import { Reporter } from '../../../src/config/normalize.js';
import { loadConfigText } from '../../../src/config/load.js';

const dir = new URL('../../../conf/scale-out/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');

test('director-a.yaml: the announcements build without a diagnostic against the rest of the file', () => {
  const doc = parse(read('director-a.yaml')) as Record<string, unknown>;
  const input = doc.announcements as AnnouncementsInput;
  delete doc.announcements;
  // Until the lead adds `announcements` to the YAML schema, the rest is loaded on its own.
  const rest = loadConfigText('director-a.yaml', stringify(doc));
  assert.deepEqual(rest.diagnostics, []);
  const r = new Reporter(new Map(), 'director-a.yaml');
  const built = buildAnnouncements(r, input);
  checkAnnouncements(r, built, rest.model!);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(built, { table: 100, routes: [{ prefix: '10.20.0.1/32', family: 4, condition: { kind: 'virtualServer', virtualServer: '10.20.0.1:80/TCP' }, holdDownMs: 5000, metric: 0 }] });
  const vs = rest.model!.virtualServers[0]!;
  assert.deepEqual([vs.name, vs.lbAlgo, vs.schedFlags, vs.quorum], ['10.20.0.1:80/TCP', 'mh', ['mh-port'], 2]);
  assert.equal(rest.model!.global.lvsSyncDaemon?.vrrpInstance, 'VI_SYNC');
});

test('director-a.conf: the same model, and the vipkeeper_announcements block gives the same announcements', () => {
  const text = read('director-a.conf');
  const loaded = loadConfigText('director-a.conf', text);
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
  const doc = parse(read('director-a.yaml')) as Record<string, unknown>;
  delete doc.announcements;
  const yamlModel = loadConfigText('director-a.yaml', stringify(doc)).model!;
  assert.deepEqual(loaded.model!.virtualServers, yamlModel.virtualServers);
  assert.deepEqual(loaded.model!.global.lvsSyncDaemon, yamlModel.global.lvsSyncDaemon);

  const ctx = new Ctx(true);
  const out: Obj = {};
  for (const n of parseLines(lexKeepalived('director-a.conf', text).lines).nodes) if (n.key.text === ANNOUNCEMENTS_KEYWORD) translateAnnouncements(ctx, n, out);
  const r = new Reporter(ctx.sources, 'director-a.conf');
  const built = buildAnnouncements(r, out.announcements as AnnouncementsInput);
  checkAnnouncements(r, built, loaded.model!);
  assert.deepEqual([...ctx.diagnostics, ...r.diagnostics], []);
  const fromYaml = buildAnnouncements(new Reporter(new Map(), 'y'), (parse(read('director-a.yaml')) as { announcements: AnnouncementsInput }).announcements);
  assert.deepEqual(built, fromYaml);
});
