// Raw input -> the typed model: value forms are normalised, defaults filled in from DEFAULTS
// (src/config/defaults.ts), and each value problem reported at its source position.
import type { Config, Diagnostic } from './model.js';
import type { ConfigInput, SourceMap } from './input.js';
import { address, Reporter } from './normalize.js';
import { buildGlobal, buildInstance, buildScript, buildSyncGroup, buildTrackFile } from './build-vrrp.js';
import { buildVirtualServer, buildVsGroup } from './build-lvs.js';
import { buildAnnouncements } from './announcements.js';
import { buildTrackProcess } from './build-track-process.js';

/**
 * Always returns a model so that validation can still report every other error; when there are
 * errors, a virtual server that could not be built is a hole (undefined) at its index.
 */
export function buildModel(input: ConfigInput, sources: SourceMap, file: string, format: 'yaml' | 'keepalived' = 'keepalived'): { model: Config; diagnostics: Diagnostic[] } {
  const r = new Reporter(sources, file, format);
  const global = buildGlobal(input.global);
  const model: Config = {
    global,
    vrrpScripts: (input.vrrpScripts ?? []).map((s, i) => buildScript(r, i, s)),
    trackFiles: (input.trackFiles ?? []).map((t, i) => buildTrackFile(r, i, t)),
    ...(input.trackProcesses ? { trackProcesses: input.trackProcesses.map((t, i) => buildTrackProcess(r, i, t)) } : {}),
    vrrpInstances: (input.vrrpInstances ?? []).map((x, i) => buildInstance(r, i, x, global, input.global)),
    syncGroups: (input.syncGroups ?? []).map((g, i) => buildSyncGroup(r, i, g)),
    virtualServerGroups: (input.virtualServerGroups ?? []).map((g, i) => buildVsGroup(r, i, g)),
    virtualServers: [],
  };
  (input.virtualServers ?? []).forEach((v, i) => {
    const vs = buildVirtualServer(r, i, v, input.virtualServerGroups, input.trackFiles);
    // Keep indexes aligned with the input so paths still point at the right source line.
    model.virtualServers[i] = vs as NonNullable<typeof vs>;
  });
  // lvs_sync_daemon's id defaults to its instance's VRID (keepalived's default).
  const sync = global.lvsSyncDaemon;
  const syncInst = sync && model.vrrpInstances.find((x) => x.name === sync.vrrpInstance);
  if (sync && sync.syncId === undefined && syncInst) sync.syncId = syncInst.vrid;
  if (sync?.group !== undefined) {
    const a = address(r, '/global/lvsSyncDaemon/group', sync.group, 'lvs_sync_daemon group');
    if (a) sync.group = a.address;
  }
  const announcements = buildAnnouncements(r, input.announcements);
  if (announcements) model.announcements = announcements;
  for (const g of model.syncGroups) {
    for (const name of g.instances) {
      const inst = model.vrrpInstances.find((x) => x.name === name);
      if (inst && inst.syncGroup === undefined) inst.syncGroup = g.name;
    }
  }
  return { model, diagnostics: r.diagnostics };
}
