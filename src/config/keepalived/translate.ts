// keepalived.conf text -> raw input (src/config/input.ts) with a source map and diagnostics:
// lexer (comments, quotes, params, @id, include) -> parser (positioned tree) -> this dispatcher.
import { hostname } from '../../lib/node-os.js';
import type { ReadResult } from '../load.js';
import type { ConfigInput, SourceMap } from '../input.js';
import { Positions } from '../positions.js';
import { lexKeepalived } from './lexer.js';
import { TreeParser, type Node } from './parser.js';
import { Ctx, foldUser, type Obj } from './context.js';
import { globalSpec, instanceSpec, namedBlock, scriptSpec, syncGroupBlock, trackFileSpec, VRRP_KEYWORDS } from './vrrp.js';
import { LVS_KEYWORDS, translateVirtualServer, translateVsGroup } from './lvs.js';
import { ANNOUNCEMENTS_KEYWORD, translateAnnouncements } from './announcements.js';
import { trackProcessSpec } from './track-process.js';

const TOP_LEVEL = ['global_defs', 'vrrp_instance', 'vrrp_script', 'track_file', 'vrrp_track_file', 'vrrp_track_process', 'vrrp_sync_group', 'virtual_server', 'virtual_server_group'];
const ALL_KEYWORDS: ReadonlySet<string> = new Set([...TOP_LEVEL, ...VRRP_KEYWORDS, ...LVS_KEYWORDS, ...Object.keys(trackProcessSpec)]);

export interface KeepalivedOptions { strict: boolean; configId?: string | undefined }

/** keepalived's default config-id: the host name up to the first dot. */
export function defaultConfigId(): string { return hostname().split('.')[0]!; }

export function readKeepalived(file: string, text: string, opts: KeepalivedOptions): ReadResult {
  // Positions are not recorded on this pass: a valid file needs none. The first lookup (a
  // diagnostic) reads the file again, recording every one (identical paths: same text, same code).
  const sources = new Positions(() => translateFile(file, text, opts, true).ctx.sources);
  const { ctx, input, lexed, parsed } = translateFile(file, text, opts, false, sources);
  // Diagnostics in the order of the stages, as if each had run over the whole file in turn.
  const diagnostics = [...lexed, ...parsed.diagnostics];
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { sources, diagnostics };
  for (const d of ctx.diagnostics) diagnostics.push(d);
  return { format: 'keepalived', input, sources, diagnostics };
}

/**
 * Lexer -> parser -> translator in one stream: each top-level statement is translated as soon as
 * it is complete, then dropped, so tokens and nodes of the whole file never exist at once.
 * (Translation is wasted when the braces turn out unbalanced; readKeepalived then drops it.)
 */
function translateFile(file: string, text: string, opts: KeepalivedOptions, record: boolean, sources?: SourceMap) {
  const ctx = new Ctx(opts.strict, record, sources);
  ctx.known = ALL_KEYWORDS;
  const out = emptyOutput();
  const parser = new TreeParser((n) => translateTop(ctx, n, out));
  const lexed = lexKeepalived(file, text, { configId: opts.configId ?? defaultConfigId(), onLine: (l) => { parser.line(l); } });
  const parsed = parser.end();
  return { ctx, input: minimal(out), lexed: lexed.diagnostics, parsed };
}

type Output = ReturnType<typeof emptyOutput>;
const emptyOutput = () => ({
  global: {} as Obj, vrrpScripts: [] as Obj[], trackFiles: [] as Obj[], trackProcesses: [] as Obj[], vrrpInstances: [] as Obj[],
  syncGroups: [] as Obj[], virtualServerGroups: [] as Obj[], virtualServers: [] as Obj[],
});

export function translateTree(ctx: Ctx, nodes: Node[]): ConfigInput {
  const out = emptyOutput();
  for (const n of nodes) translateTop(ctx, n, out);
  return minimal(out);
}

function translateTop(ctx: Ctx, n: Node, out: Output): void {
  switch (n.key.text) {
    case 'global_defs':
      ctx.at('/global', n.key);
      if (!n.children) ctx.error(n.key, 'global_defs needs a { } block');
      ctx.block(n.children, globalSpec, out.global, '/global', 'global_defs');
      break;
    case 'vrrp_instance': namedBlock(ctx, n, out.vrrpInstances, instanceSpec, '/vrrpInstances', 'vrrp_instance'); break;
    case 'vrrp_script': {
      const o = namedBlock(ctx, n, out.vrrpScripts, scriptSpec, '/vrrpScripts', 'vrrp_script');
      if (o) foldUser(o);
      break;
    }
    // track_file is keepalived 2.2's name (shared with FILE_CHECK); vrrp_track_file the older one.
    case 'track_file':
    case 'vrrp_track_file': namedBlock(ctx, n, out.trackFiles, trackFileSpec, '/trackFiles', n.key.text); break;
    case 'vrrp_track_process': namedBlock(ctx, n, out.trackProcesses, trackProcessSpec, '/trackProcesses', 'vrrp_track_process'); break;
    case 'vrrp_sync_group': syncGroupBlock(ctx, n, out.syncGroups); break;
    case ANNOUNCEMENTS_KEYWORD: translateAnnouncements(ctx, n, out as Obj); break;
    case 'virtual_server': translateVirtualServer(ctx, n, out.virtualServers); break;
    case 'virtual_server_group': translateVsGroup(ctx, n, out.virtualServerGroups); break;
    default: ctx.unknown(n, 'the top level', TOP_LEVEL);
  }
}

/** Keep the input minimal: sections that were not written are left out (and out of convert's YAML). */
function minimal(out: Output): ConfigInput {
  const input: ConfigInput = {};
  for (const [k, v] of Object.entries(out)) {
    if (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0) (input as Obj)[k] = v;
  }
  return input;
}
