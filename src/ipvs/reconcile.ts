// Desired IPVS state versus the kernel's -> the shortest ordered list of operations. Pure.
// Everything but a service's or a real server's identity can be edited in place, so a change of
// weight, scheduler, flags, thresholds or forwarding method is an edit and established connections
// survive. Services that are not desired are left alone unless vipkeeper managed them before.
import { VipError } from '../lib/errors.js';
import {
  bitsToFlags, canonicalAddress, destKeyString, flagsToBits, keyOf, serviceKeyString,
  type DesiredService, type DestSpec, type ServiceEntry, type ServiceKey, type ServiceSpec,
} from './model.js';
import type { IpvsOp } from './ops.js';
import { serviceProblems } from './validate.js';

export interface ReconcileOptions {
  /** Services vipkeeper programmed before (the previous config): deleted when no longer desired. */
  previouslyManaged?: readonly ServiceKey[];
}

export function reconcile(desired: readonly DesiredService[], actual: readonly ServiceEntry[], opts: ReconcileOptions = {}): IpvsOp[] {
  const want = indexUnique(desired);
  const have = new Map(actual.map((s) => { const n = normalizeService(s); return [serviceKeyString(n), n]; }));
  const ops: IpvsOp[] = [];
  for (const k of opts.previouslyManaged ?? []) {
    // Keys from an earlier config are compared in canonical form, like everything else.
    const ks = serviceKeyString(k.fwmark > 0 ? k : { ...k, address: canonicalAddress(k.address) });
    if (!want.has(ks) && have.has(ks)) ops.push({ op: 'delete-service', service: keyOf(have.get(ks)!) });
  }
  for (const [ks, w] of want) ops.push(...reconcileService(w, have.get(ks)));
  return ops;
}

function reconcileService(w: DesiredService, h: DesiredService | undefined): IpvsOp[] {
  const key = keyOf(w);
  const spec = specOf(w);
  if (!h) return [{ op: 'add-service', service: spec }, ...w.dests.map((d): IpvsOp => ({ op: 'add-dest', service: key, dest: d }))];
  const ops: IpvsOp[] = [];
  if (!sameService(w, h)) ops.push({ op: 'edit-service', service: spec, was: specOf(h) });
  const wantDests = new Map(w.dests.map((d) => [destKeyString(d), d]));
  const haveDests = new Map(h.dests.map((d) => [destKeyString(d), d]));
  for (const [dk, d] of haveDests) if (!wantDests.has(dk)) ops.push({ op: 'delete-dest', service: key, dest: d });
  for (const [dk, d] of wantDests) {
    const cur = haveDests.get(dk);
    if (cur && !sameDest(d, cur)) ops.push({ op: 'edit-dest', service: key, dest: d, was: cur });
  }
  for (const [dk, d] of wantDests) if (!haveDests.has(dk)) ops.push({ op: 'add-dest', service: key, dest: d });
  return ops;
}

/** Validates the raw input first (normalizing parses addresses and flags, which would throw on the first bad one). */
function indexUnique(raw: readonly DesiredService[]): Map<string, DesiredService> {
  const problems = raw.flatMap(serviceProblems);
  if (problems.length) throw new VipError('ipvs-invalid', `invalid IPVS desired state, nothing changed:\n  ${problems.join('\n  ')}`, { problems });
  const m = new Map<string, DesiredService>();
  for (const s of raw.map(normalizeService)) {
    const k = serviceKeyString(s);
    if (m.has(k)) throw new VipError('ipvs-duplicate-service', `virtual service ${k} is declared twice`);
    const dests = new Set<string>();
    for (const d of s.dests) {
      const dk = destKeyString(d);
      if (dests.has(dk)) throw new VipError('ipvs-duplicate-dest', `real server ${dk} is declared twice in ${k}`);
      dests.add(dk);
    }
    m.set(k, s);
  }
  return m;
}

function specOf(s: DesiredService): ServiceSpec {
  const { dests: _d, ...rest } = s;
  const spec: ServiceSpec = { ...keyOf(rest), scheduler: rest.scheduler, flags: rest.flags, timeout: rest.timeout, netmask: rest.netmask };
  if (rest.pe) spec.pe = rest.pe;
  return spec;
}

function sameService(a: ServiceSpec, b: ServiceSpec): boolean {
  return a.scheduler === b.scheduler && flagsToBits(a.flags) === flagsToBits(b.flags) && a.timeout === b.timeout
    && a.netmask === b.netmask && (a.pe ?? '') === (b.pe ?? '');
}

function sameDest(a: DestSpec, b: DestSpec): boolean {
  // The kernel turns any method into "local" for a real server that is one of our own addresses;
  // asking again would change nothing, so that is not a difference.
  const forwardDiffers = a.forward !== b.forward && a.forward !== 'local' && b.forward !== 'local';
  if (forwardDiffers || a.weight !== b.weight || a.upperThreshold !== b.upperThreshold || a.lowerThreshold !== b.lowerThreshold) return false;
  if (a.forward !== 'tunnel') return true;
  return a.tunnelType === b.tunnelType && a.tunnelPort === b.tunnelPort && a.tunnelChecksum === b.tunnelChecksum;
}

/** Canonical form of a service (desired or actual): canonical addresses, flag names and tunnel defaults. */
export function normalizeService(s: DesiredService | ServiceEntry): DesiredService {
  const fw = s.fwmark > 0;
  const out: DesiredService = {
    family: s.family,
    protocol: fw ? 'tcp' : s.protocol,
    address: fw ? (s.family === 6 ? '::' : '0.0.0.0') : canonicalAddress(s.address),
    port: fw ? 0 : s.port,
    fwmark: s.fwmark,
    scheduler: s.scheduler,
    flags: bitsToFlags(flagsToBits(s.flags), s.scheduler),
    timeout: s.timeout,
    netmask: s.netmask,
    dests: s.dests.map(normalizeDest),
  };
  if (s.pe) out.pe = s.pe;
  return out;
}

export function normalizeDest(d: DestSpec): DestSpec {
  const out: DestSpec = {
    family: d.family, address: canonicalAddress(d.address), port: d.port, forward: d.forward, weight: d.weight,
    upperThreshold: d.upperThreshold, lowerThreshold: d.lowerThreshold,
  };
  if (d.forward === 'tunnel') {
    out.tunnelType = d.tunnelType ?? 'ipip';
    if (out.tunnelType === 'gue') out.tunnelPort = d.tunnelPort ?? 0;
    if (out.tunnelType !== 'ipip') out.tunnelChecksum = d.tunnelChecksum ?? 'nocsum';
  }
  return out;
}
