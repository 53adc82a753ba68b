// vrrp_track_process input -> model, with keepalived's implications (vrrp_parser.c): parameters
// make the match exact on the full command line, any param_match implies full_command, and a
// quorum_max of 0 (with no quorum written) means "up while none runs".
import { DEFAULTS } from './defaults.js';
import type { TrackProcess } from './model.js';
import type { TrackProcessInput } from './input.js';
import type { Reporter } from './normalize.js';

export function buildTrackProcess(r: Reporter, i: number, x: TrackProcessInput): TrackProcess {
  const d = DEFAULTS.trackProcess;
  if (x.process === undefined) r.missing(`/trackProcesses/${i}/process`, `vrrp_track_process ${x.name}`, 'process');
  const params = [...(x.params ?? [])];
  const paramMatch = x.paramMatch ?? (params.length > 0 ? 'exact' : 'none');
  const out: TrackProcess = {
    name: x.name,
    process: x.process ?? '',
    params,
    paramMatch,
    fullCommand: x.fullCommand === true || paramMatch !== 'none',
    weight: x.weight ?? d.weight,
    reverse: x.reverse ?? d.reverse,
    quorum: x.quorum ?? (x.quorumMax === 0 ? 0 : d.quorum),
    forkDelayMs: x.forkDelayMs ?? d.forkDelayMs,
    terminateDelayMs: x.terminateDelayMs ?? d.terminateDelayMs,
  };
  if (x.quorumMax !== undefined) out.quorumMax = x.quorumMax;
  return out;
}
