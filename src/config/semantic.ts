// Semantic validation shared by both readers: ranges, names and cross references on the built
// model, reported at the source position of the offending input value.
import type { Config, Diagnostic } from './model.js';
import type { SourceMap } from './input.js';
import { Reporter } from './normalize.js';
import { checkVrrp } from './semantic-vrrp.js';
import { checkStrict } from './semantic-strict.js';
import { checkLvs } from './semantic-lvs.js';
import { checkLvsGlobal } from './semantic-lvs-global.js';
import { checkAnnouncements } from './announcements.js';

export function validateModel(model: Config, sources: SourceMap, file: string, format: 'yaml' | 'keepalived' = 'keepalived'): Diagnostic[] {
  const r = new Reporter(sources, file, format);
  checkVrrp(r, model);
  checkStrict(r, model);
  checkLvs(r, model);
  checkLvsGlobal(r, model);
  checkAnnouncements(r, model.announcements, model);
  return r.diagnostics;
}
