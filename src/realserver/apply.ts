// Carries out a real-server plan through the host port: observe, plan, save the state, apply the
// steps; a step that fails undoes the ones before it, so a failed setup leaves the host as it was.
import type { RealServerHost } from './host.js';
import {
  describe, desiredSysctls, deviceFor, key, planSetup, planTeardown, setupConflict, undo, type Mode, type Observed, type RealServerState, type Step,
} from './plan.js';

export interface Outcome { ok: boolean; lines: string[]; error?: string }

async function observe(host: RealServerHost, mode: Mode, state: RealServerState | undefined): Promise<Observed> {
  const dev = state?.device ?? deviceFor(mode);
  const sysctls = new Map<string, string | undefined>();
  const paths = [...desiredSysctls(mode).map((d) => d.path), ...(state?.sysctls ?? []).map((s) => s.path)];
  for (const p of paths) if (!sysctls.has(key(p))) sysctls.set(key(p), await host.readSysctl(p));
  const link = await host.link(dev);
  return { sysctls, addresses: link ? await host.addresses(dev) : [], ...(link ? { link } : {}) };
}

async function perform(host: RealServerHost, s: Step): Promise<void> {
  switch (s.kind) {
    case 'sysctl': return host.writeSysctl(s.path, s.value);
    case 'add-address': return host.addAddress(s.dev, s.cidr);
    case 'delete-address': return host.deleteAddress(s.dev, s.cidr);
    case 'link': return host.setLinkUp(s.dev, s.up);
  }
}

const words = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Applies steps in order; on a failure undoes the applied ones in reverse and rethrows. */
async function applyAll(host: RealServerHost, steps: Step[], lines: string[]): Promise<void> {
  const done: Step[] = [];
  for (const s of steps) {
    try { await perform(host, s); } catch (e) {
      const undoErrors: string[] = [];
      for (const d of done.reverse()) await perform(host, undo(d)).catch((u) => undoErrors.push(`${describe(undo(d))}: ${words(u)}`));
      throw new Error(`${describe(s).replace(/ \(was .*\)$/, '')} failed: ${words(e)}${undoErrors.length ? `; could not undo: ${undoErrors.join('; ')}` : '; every change was undone'}`);
    }
    done.push(s);
    lines.push(describe(s));
  }
}

export async function setup(host: RealServerHost, mode: Mode, cidrs: string[]): Promise<Outcome> {
  const lines: string[] = [];
  const prior = await host.readState();
  const conflict = setupConflict(mode, cidrs, prior);
  if (conflict) return { ok: false, lines, error: conflict };
  if (mode === 'tun' && !(await host.link('tunl0'))) {
    // tunl0 appears when the ipip module loads.
    try { await host.loadModule('ipip'); } catch (e) {
      return { ok: false, lines, error: `TUN needs the ipip module (tunl0): ${words(e)}` };
    }
    if (!(await host.link('tunl0'))) return { ok: false, lines, error: 'tunl0 does not exist after modprobe ipip: this kernel has no IPIP tunnel (CONFIG_NET_IPIP)' };
    lines.push('loaded ipip (tunl0)');
  }
  const plan = planSetup(mode, cidrs, await observe(host, mode, prior), prior);
  if ('error' in plan) return { ok: false, lines, error: plan.error };
  // Saved before any change: a crash half-way still leaves teardown what to restore.
  await host.writeState(plan.state);
  try {
    await applyAll(host, plan.steps, lines);
  } catch (e) {
    await (prior ? host.writeState(prior) : host.removeState()).catch(() => {});
    return { ok: false, lines, error: words(e) };
  }
  if (plan.steps.length === 0) lines.push('nothing to change: already set up');
  return { ok: true, lines };
}

export async function teardown(host: RealServerHost, mode: Mode, cidrs: string[]): Promise<Outcome> {
  const lines: string[] = [];
  const state = await host.readState();
  const plan = planTeardown(mode, cidrs, await observe(host, mode, state), state);
  if ('error' in plan) return { ok: false, lines, error: plan.error };
  try { await applyAll(host, plan.steps, lines); } catch (e) { return { ok: false, lines, error: words(e) }; }
  for (const k of plan.kept) lines.push(`kept ${k}: it was there before setup`);
  if (plan.state) {
    await host.writeState(plan.state);
    lines.push(`sysctls kept: setup's other VIPs remain (${plan.state.addresses.join(', ')})`);
  } else {
    await host.removeState();
  }
  return { ok: true, lines };
}
