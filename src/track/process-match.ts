// Whether a process is one a vrrp_track_process counts, as keepalived's track_process.c decides:
// an exact match (not a pattern, unlike pgrep) of the name (comm) or, with full_command, of argv[0],
// and with param_match of the parameters compared as the NUL-separated bytes of the command line.
import type { ProcessInfo } from './process-port.js';

export type ParamMatch = 'none' | 'exact' | 'partial' | 'initial';

export interface ProcessPattern {
  process: string;
  params: readonly string[];
  paramMatch: ParamMatch;
  fullCommand: boolean;
}

/** Names are compared as bytes: the kernel's comm is bytes, read here as latin1. */
export function asLatin1(s: string): string { return Buffer.from(s, 'utf8').toString('latin1'); }

export function matchesProcess(p: ProcessPattern, info: ProcessInfo): boolean {
  if (!p.fullCommand) return info.comm === asLatin1(p.process);
  const argv = info.argv;
  if (!argv || argv.length === 0 || argv[0] !== asLatin1(p.process)) return false;
  return p.paramMatch === 'none' || paramsMatch(p, argv.slice(1));
}

/**
 * exact: the same parameters; partial: the first n parameters are the configured n; initial: as
 * partial, but the last configured one need only be the start of the process's parameter.
 */
export function paramsMatch(p: Pick<ProcessPattern, 'params' | 'paramMatch'>, actual: readonly string[]): boolean {
  const joined = (xs: readonly string[]): string => xs.map((x) => `${x}\0`).join('');
  const want = joined(p.params.map(asLatin1)), have = joined(actual);
  switch (p.paramMatch) {
    case 'exact': return have === want;
    case 'partial': return have.startsWith(want);
    case 'initial': return have.startsWith(want.slice(0, -1));
    default: return true;
  }
}
