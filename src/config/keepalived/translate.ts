// keepalived.conf text -> raw input (src/config/input.ts) with a source map and diagnostics:
// lexer (comments, quotes, params, @id, include) -> parser (positioned tree) -> this dispatcher.
import { hostname } from 'node:os';
import type { ReadResult } from '../load.js';
import type { ConfigInput } from '../input.js';
import { lexKeepalived } from './lexer.js';
import { parseLines, type Node } from './parser.js';
import { Ctx, foldUser, type Obj } from './context.js';
import { globalSpec, instanceSpec, namedBlock, scriptSpec, syncGroupBlock, trackFileSpec, VRRP_KEYWORDS } from './vrrp.js';
import { LVS_KEYWORDS, translateVirtualServer, translateVsGroup } from './lvs.js';
import { ANNOUNCEMENTS_KEYWORD, translateAnnouncements } from './announcements.js';

const TOP_LEVEL = ['global_defs', 'vrrp_instance', 'vrrp_script', 'track_file', 'vrrp_track_file', 'vrrp_sync_group', 'virtual_server', 'virtual_server_group'];
const ALL_KEYWORDS: ReadonlySet<string> = new Set([...TOP_LEVEL, ...VRRP_KEYWORDS, ...LVS_KEYWORDS]);

export interface KeepalivedOptions { strict: boolean; configId?: string | undefined }

/** keepalived's default config-id: the host name up to the first dot. */
export function defaultConfigId(): string { return hostname().split('.')[0]!; }

export function readKeepalived(file: string, text: string, opts: KeepalivedOptions): ReadResult {
  const lexed = lexKeepalived(file, text, { configId: opts.configId ?? defaultConfigId() });
  const parsed = parseLines(lexed.lines);
  const ctx = new Ctx(opts.strict);
  ctx.known = ALL_KEYWORDS;
  for (const d of [lexed.diagnostics, parsed.diagnostics].flat()) ctx.diagnostics.push(d);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { sources: ctx.sources, diagnostics: ctx.diagnostics };
  const input = translateTree(ctx, parsed.nodes);
  return { format: 'keepalived', input, sources: ctx.sources, diagnostics: ctx.diagnostics };
}

export function translateTree(ctx: Ctx, nodes: Node[]): ConfigInput {
  const out = {
    global: {} as Obj, vrrpScripts: [] as Obj[], trackFiles: [] as Obj[], vrrpInstances: [] as Obj[],
    syncGroups: [] as Obj[], virtualServerGroups: [] as Obj[], virtualServers: [] as Obj[],
  };
  for (const n of nodes) {
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
      case 'vrrp_sync_group': syncGroupBlock(ctx, n, out.syncGroups); break;
      case ANNOUNCEMENTS_KEYWORD: translateAnnouncements(ctx, n, out as Obj); break;
      case 'virtual_server': translateVirtualServer(ctx, n, out.virtualServers); break;
      case 'virtual_server_group': translateVsGroup(ctx, n, out.virtualServerGroups); break;
      default: ctx.unknown(n, 'the top level', TOP_LEVEL);
    }
  }
  // Keep the input minimal: sections that were not written are left out (and out of convert's YAML).
  const input: ConfigInput = {};
  for (const [k, v] of Object.entries(out)) {
    if (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0) (input as Obj)[k] = v;
  }
  return input;
}
