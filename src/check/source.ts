// bindto / bind_port: the local end of a checker's connection. Validated here, so that a source
// that can never work (wrong family, not an IP) is reported in words instead of thrown by node:net.
import { isIP } from 'node:net';
import type { CheckerCommon } from '../config/model.js';
import type { CheckTarget } from './checker.js';

export interface Source {
  localAddress?: string;
  localPort?: number;
}

export type SourceResult = { ok: true; source: Source } | { ok: false; reason: string };

export function sourceOf(check: Pick<CheckerCommon, 'bindTo' | 'bindPort'>, target: Pick<CheckTarget, 'address' | 'family'>): SourceResult {
  const source: Source = {};
  if (check.bindTo !== undefined) {
    const fam = isIP(check.bindTo);
    if (fam === 0) return { ok: false, reason: `bindto ${check.bindTo} is not an IP address` };
    if (fam !== target.family) {
      return { ok: false, reason: `bindto ${check.bindTo} is IPv${fam} but the target ${target.address} is IPv${target.family}` };
    }
    source.localAddress = check.bindTo;
  }
  if (check.bindPort !== undefined) {
    if (!Number.isInteger(check.bindPort) || check.bindPort < 1 || check.bindPort > 65535) {
      return { ok: false, reason: `bind_port ${check.bindPort} is not a port (1-65535)` };
    }
    source.localPort = check.bindPort;
  }
  return { ok: true, source };
}
