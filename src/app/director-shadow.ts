// The director's picture of the kernel's IPVS table, kept in step with every operation it applies,
// so a health change costs one reconcile against memory instead of a dump of the whole table.
// Pure. Re-read from the kernel after an error and periodically (director-ipvs.ts).
import { destKeyString, serviceKeyString, type DesiredService, type ServiceEntry, type ServiceKey } from '../ipvs/model.js';
import type { IpvsOp } from '../ipvs/ops.js';
import { normalizeService } from '../ipvs/reconcile.js';

export type Shadow = Map<string, DesiredService>;

export function shadowOf(actual: readonly ServiceEntry[]): Shadow {
  return new Map(actual.map((s) => { const n = normalizeService(s); return [serviceKeyString(n), n]; }));
}

/** The table after `ops` succeeded (ops come from reconcile: canonical keys, in order). */
export function applyToShadow(shadow: Shadow, ops: readonly IpvsOp[]): void {
  for (const op of ops) {
    const k = serviceKeyString(op.service);
    const s = shadow.get(k);
    switch (op.op) {
      case 'add-service': shadow.set(k, { ...op.service, dests: [] }); break;
      case 'edit-service': if (s) shadow.set(k, { ...op.service, dests: s.dests }); break;
      case 'delete-service': shadow.delete(k); break;
      case 'add-dest': s?.dests.push({ ...op.dest }); break;
      case 'edit-dest': case 'delete-dest': {
        if (!s) break;
        const i = s.dests.findIndex((d) => destKeyString(d) === destKeyString(op.dest));
        if (i < 0) break;
        if (op.op === 'delete-dest') s.dests.splice(i, 1); else s.dests[i] = { ...op.dest };
      }
    }
  }
}

export function keysOfShadow(shadow: Shadow): ServiceKey[] {
  return [...shadow.values()].map((s) => ({ family: s.family, protocol: s.protocol, address: s.address, port: s.port, fwmark: s.fwmark }));
}
