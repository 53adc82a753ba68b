// Writes docs/config-reference.md from the JSON Schema the YAML reader uses (src/config/schema.ts,
// the same source as docs/config.schema.json) and the defaults table (src/config/defaults.ts).
// Ranges are the semantic checks' (src/config/semantic-*.ts); test/unit/docs/config-reference.test.ts
// checks every one against the validator and fails when the committed file is stale.
//   node --import tsx scripts/gen-config-reference.ts            # rewrite the file
//   node --import tsx scripts/gen-config-reference.ts --check    # exit 1 when it is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_SCHEMA } from '../src/config/schema.js';
import { DEFAULTS } from '../src/config/defaults.js';

type S = Record<string, any>;

export const OUTPUT = fileURLToPath(new URL('../docs/config-reference.md', import.meta.url));

/** A checked range: `min`..`max` in the key's own unit. */
export interface Range { min: number; max: number }

/** Ranges the semantic checks enforce, by key path ([] = any list entry). The test proves each one. */
export const RANGES: Record<string, Range> = {
  'global.lvsTimeouts.tcpS': { min: 0, max: 2_678_400 },
  'global.lvsTimeouts.tcpFinS': { min: 0, max: 2_678_400 },
  'global.lvsTimeouts.udpS': { min: 0, max: 2_678_400 },
  'global.lvsSyncDaemon.syncId': { min: 0, max: 255 },
  'global.lvsSyncDaemon.maxLen': { min: 1, max: 65_507 },
  'global.lvsSyncDaemon.port': { min: 1, max: 65_535 },
  'global.lvsSyncDaemon.ttl': { min: 1, max: 255 },
  'global.garp.masterDelayMs': { min: 0, max: 1_000_000 },
  'global.garp.masterRepeat': { min: 1, max: 255 },
  'global.garp.lowerPrioDelayMs': { min: 0, max: 1_000_000 },
  'global.garp.lowerPrioRepeat': { min: 0, max: 255 },
  'global.garp.masterRefreshMs': { min: 0, max: 1_000_000 },
  'global.garp.masterRefreshRepeat': { min: 1, max: 255 },
  'global.garp.intervalMs': { min: 0, max: 1000 },
  'global.garp.gnaIntervalMs': { min: 0, max: 1000 },
  'vrrpScripts[].intervalMs': { min: 1, max: 86_400_000 },
  'vrrpScripts[].timeoutMs': { min: 1, max: 86_400_000 },
  'vrrpScripts[].weight': { min: -253, max: 253 },
  'vrrpScripts[].rise': { min: 1, max: 1_000_000 },
  'vrrpScripts[].fall': { min: 1, max: 1_000_000 },
  'trackFiles[].weight': { min: -254, max: 254 },
  'vrrpInstances[].vrid': { min: 1, max: 255 },
  'vrrpInstances[].priority': { min: 1, max: 255 },
  'vrrpInstances[].preemptDelayMs': { min: 0, max: 1_000_000 },
  'vrrpInstances[].downTimerAdverts': { min: 1, max: 100 },
  'vrrpInstances[].unicastPeers[].minTtl': { min: 0, max: 255 },
  'vrrpInstances[].unicastPeers[].maxTtl': { min: 0, max: 255 },
  'vrrpInstances[].trackInterfaces[].weight': { min: -254, max: 254 },
  'vrrpInstances[].trackScripts[].weight': { min: -253, max: 253 },
  'vrrpInstances[].trackFiles[].weight': { min: -254, max: 254 },
  'virtualServers[].port': { min: 0, max: 65_535 },
  'virtualServers[].fwmark': { min: 1, max: 4_294_967_295 },
  'virtualServers[].persistenceTimeoutS': { min: 1, max: 2_678_400 },
  'virtualServers[].realServers[].port': { min: 0, max: 65_535 },
  'virtualServers[].realServers[].weight': { min: 0, max: 65_535 },
  'virtualServers[].realServers[].checkers[].connectPort': { min: 1, max: 65_535 },
  'virtualServers[].realServers[].checkers[].weight': { min: -65_535, max: 65_535 },
  'announcements.routes[].holdDownS': { min: 0, max: 86_400 },
};

/** Ranges that depend on another value, in words (not probed by the test). */
export const RANGE_NOTES: Record<string, string> = {
  'vrrpInstances[].advertIntervalMs': 'v2: 1000-255000 in whole seconds; v3: 10-40950 in steps of 10',
  'vrrpInstances[].authPass': '1-8 bytes, VRRPv2 only',
  'virtualServers[].quorum': '≥ 1; above the real servers\' total weight is a warning',
  'virtualServers[].hysteresis': '0 to quorum − 1',
  'virtualServers[].realServers[].lowerThreshold': '≤ upperThreshold',
  'virtualServers[].realServers[].checkers[].urls[].statusCodes': 'codes and "low-high" ranges within 100-599',
  'virtualServers[].realServers[].checkers[].urls[].digest': '32 hex digits (MD5)',
  'virtualServers[].realServers[].checkers[].minReplyLength': '≤ maxReplyLength',
  'virtualServers[].persistenceGranularity': 'an IPv4 netmask, or an IPv6 prefix length',
  'announcements.table': '1 – 4,294,967,295 except 253-255 (the kernel\'s own tables)',
};

/** Defaults that are another value, or set at run time, in words. */
const DEFAULT_NOTES: Record<string, string> = {
  'global.routerId': 'the host name',
  'global.scriptUser': 'keepalived_script if it exists, else root',
  'global.lvsSyncDaemon.syncId': "the instance's vrid",
  'global.lvsSyncDaemon.port': "the kernel's (8848)",
  'global.lvsSyncDaemon.ttl': "the kernel's (1)",
  'global.garp.lowerPrioDelayMs': '= masterDelayMs',
  'global.garp.lowerPrioRepeat': '= masterRepeat',
  'vrrpScripts[].timeoutMs': '= intervalMs',
  'vrrpInstances[].version': 'global.vrrpVersion; 3 for IPv6',
  'vrrpInstances[].accept': 'true unless strictMode',
  'vrrpInstances[].strictMode': 'global.vrrpStrict',
  'vrrpInstances[].lowerPrioNoAdvert': 'true under strictMode, else global.vrrpLowerPrioNoAdvert (false)',
  'vrrpInstances[].higherPrioSendAdvert': 'false under strictMode, else global.vrrpHigherPrioSendAdvert (true; keepalived: false)',
  'global.vrrpLowerPrioNoAdvert': 'false',
  'global.vrrpHigherPrioSendAdvert': 'true (keepalived: false)',
  'vrrpInstances[].unicastSrcIp': "the interface's primary address",
  'vrrpInstances[].unicastPeers': '[] (multicast)',
  'vrrpInstances[].garp': 'global.garp, then the defaults there',
  'vrrpInstances[].virtualIps[].dev': "the instance's interface",
  'vrrpInstances[].excludedVips[].dev': "the instance's interface",
  'vrrpInstances[].trackInterfaces[].weight': '0 (fault when down)',
  'vrrpInstances[].trackScripts[].weight': "the script's",
  'vrrpInstances[].trackFiles[].weight': "the track file's",
  'virtualServers[].family': "the address's; else the real servers' if they agree; else 4",
  'virtualServers[].protocol': 'none in YAML (required for address and group services); UDP in keepalived.conf',
  'virtualServers[].persistenceTimeoutS': 'none (no persistence); 360 for keepalived\'s keyword without a value',
  'virtualServers[].realServers[].port': "the virtual server's",
  'virtualServers[].realServers[].lbKind': "the virtual server's",
  'virtualServers[].realServers[].inhibitOnFailure': "the virtual server's",
  'virtualServers[].sorryServer.port': "the virtual server's",
  'virtualServers[].sorryServer.lbKind': "the virtual server's",
  'virtualServers[].realServers[].checkers[].warmupMs': '= delayLoopMs',
  'virtualServers[].realServers[].checkers[].miscTimeoutMs': '= delayLoopMs',
  'virtualServers[].realServers[].checkers[].heloName': 'the host name',
  'virtualServers[].realServers[].checkers[].authority': 'the target address',
  'virtualServers[].realServers[].checkers[].weight': "FILE_CHECK: the track file's",
  'virtualServers[].port': '0 (all ports; needs persistenceTimeoutS)',
  'virtualServers[].warmupMs': '= delayLoopMs',
  'virtualServers[].realServers[].warmupMs': '= delayLoopMs',
  'virtualServers[].realServers[].alpha': "the virtual server's",
  'virtualServers[].realServers[].checkers[].requireReply': 'false',
  'virtualServers[].realServers[].checkers[].reverse': "FILE_CHECK: the track file's",
};

/** Keys the builder requires although the schema lets them out (it reports them with a line number). */
const SEMANTIC_REQUIRED = new Set(['vrrpInstances[].interface', 'vrrpInstances[].vrid', 'virtualServers[].protocol']);

/** An instance's garp map takes each value from global.garp first, with the same checks. */
const mirror = (path: string): string => path.replace(/^vrrpInstances\[\]\.garp\./, 'global.garp.');

const checkerDefaults: S = {
  connectTimeoutMs: DEFAULTS.checker.connectTimeoutMs, delayLoopMs: DEFAULTS.checker.delayLoopMs,
  retry: DEFAULTS.checker.retry, delayBeforeRetryMs: { ...DEFAULTS.checker.delayBeforeRetryMs, DNS_CHECK: '= delayLoopMs' },
  statusCodes: DEFAULTS.checker.statusCodes.map(([a, b]) => `${a}-${b}`), httpProtocol: DEFAULTS.checker.httpProtocol,
  enableSni: DEFAULTS.checker.enableSni, dynamic: DEFAULTS.checker.miscDynamic, minReplyLength: DEFAULTS.checker.udpMinReplyLength,
  maxReplyLength: DEFAULTS.checker.udpMaxReplyLength, queryType: DEFAULTS.checker.dnsQueryType, name: DEFAULTS.checker.dnsName,
  service: DEFAULTS.checker.grpcService, tls: DEFAULTS.checker.grpcTls, regexNoMatch: DEFAULTS.checker.regexNoMatch,
  alpha: false,
};
const cascade = { connectTimeoutMs: checkerDefaults.connectTimeoutMs, delayLoopMs: checkerDefaults.delayLoopMs, retry: checkerDefaults.retry, delayBeforeRetryMs: checkerDefaults.delayBeforeRetryMs };

/** Where each part of the tree takes its defaults from in DEFAULTS. */
const DEFAULT_SOURCES: Array<[prefix: string, table: S]> = [
  ['global.garp.', DEFAULTS.garp],
  ['vrrpInstances[].garp.', DEFAULTS.garp],
  ['global.', DEFAULTS.global],
  ['vrrpInstances[].virtualIps[].', DEFAULTS.vip],
  ['vrrpInstances[].excludedVips[].', DEFAULTS.vip],
  ['vrrpInstances[].', DEFAULTS.instance],
  ['vrrpScripts[].', DEFAULTS.script],
  ['trackFiles[].', DEFAULTS.trackFile],
  ['virtualServers[].realServers[].checkers[].urls[].', { statusCodes: checkerDefaults.statusCodes, regexNoMatch: false }],
  ['virtualServers[].realServers[].checkers[].', checkerDefaults],
  ['virtualServers[].realServers[].', { ...DEFAULTS.realServer, ...cascade }],
  ['virtualServers[].sorryServer.', DEFAULTS.sorryServer],
  ['virtualServers[].', { ...DEFAULTS.virtualServer, ...cascade, protocol: undefined, family: undefined, persistenceTimeoutS: undefined }],
  ['announcements.routes[].', (DEFAULTS as S).announcements ?? {}],
  ['announcements.', (DEFAULTS as S).announcements ?? {}],
];

function show(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.map(show).join(', ') : '[]';
  if (v && typeof v === 'object') {
    const o = v as S;
    return Object.entries(o).map(([k, x]) => (k === 'default' ? show(x) : `${k} ${show(x)}`)).sort((a, b) => (/^[A-Z]/.test(a) ? 1 : 0) - (/^[A-Z]/.test(b) ? 1 : 0)).join('; ');
  }
  if (typeof v === 'string') return v === '' ? '"" (empty)' : v.startsWith('=') ? v : `\`${v}\``;
  return `\`${String(v)}\``;
}

export function defaultOf(path: string, s: S = {}): string {
  if (DEFAULT_NOTES[path]) return DEFAULT_NOTES[path]!;
  if (mirror(path) !== path) return `= ${mirror(path)}`;
  if (/\[\]\.reverse$/.test(path) && /track(Interfaces|Scripts|Files)\[\]/.test(path)) return show(DEFAULTS.trackReverse);
  for (const [prefix, table] of DEFAULT_SOURCES) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    if (rest.includes('.') || rest.includes('[')) continue;
    const v = table[rest];
    if (v !== undefined) return show(v);
    break;
  }
  // Else what the schema's own description says: "... (default 100)".
  const m = /\(default ([^)]+)\)/.exec(String(s.description ?? ''));
  return m ? m[1]! : '—';
}

/** A schema node's type in words. */
function typeOf(s: S): string {
  if (s.enum) return `one of ${s.enum.map((x: unknown) => `\`${x}\``).join(', ')}`;
  if (s.anyOf) return (s.anyOf as S[]).map(typeOf).join(' or ');
  switch (s.type) {
    case 'string': return s.pattern ? `string matching \`${s.pattern}\`` : 'string';
    case 'integer': return 'integer';
    case 'number': return s.description === 'milliseconds' ? 'number (milliseconds)' : 'number';
    case 'boolean': return 'bool';
    case 'array': return `list of ${typeOf(s.items ?? {})}`;
    case 'object': return s.properties ? `map {${Object.keys(s.properties).join(', ')}}` : 'map';
    default: return 'any';
  }
}

export interface Row { path: string; type: string; required: boolean; default: string; range: string; about: string }

/** The schema's description, when it says more than the unit. */
const about = (s: S): string => (typeof s.description === 'string' && s.description !== 'milliseconds' ? s.description : '');

/** The checked range of a key, if it has one. */
export const rangeFor = (path: string): Range | undefined => RANGES[path] ?? RANGES[mirror(path)];

function rangeOf(path: string, s: S): string {
  const r = rangeFor(path);
  if (r) return `${r.min.toLocaleString('en-US')} – ${r.max.toLocaleString('en-US')}`;
  if (RANGE_NOTES[path]) return RANGE_NOTES[path]!;
  if ((s.type === 'number' || s.type === 'integer') && s.minimum !== undefined) return `≥ ${s.minimum}`;
  if (s.type === 'string' && s.minLength) return 'not empty';
  return '—';
}

/** Every key under `s`, depth first; object forms inside lists and anyOf are walked too. */
export function rows(s: S = CONFIG_SCHEMA, prefix = ''): Row[] {
  const out: Row[] = [];
  const req = new Set<string>(s.required ?? []);
  for (const [k, child] of Object.entries((s.properties ?? {}) as Record<string, S>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const required = req.has(k) || SEMANTIC_REQUIRED.has(path);
    out.push({ path, type: typeOf(child), required, default: required ? 'required' : defaultOf(path, child), range: rangeOf(path, child), about: about(child) });
    out.push(...nested(child, path));
  }
  return out;
}

function nested(s: S, path: string): Row[] {
  if (s.type === 'object' && s.properties) return rows(s, path);
  if (s.type === 'array' && s.items) return nested(s.items, `${path}[]`);
  if (s.anyOf) return (s.anyOf as S[]).flatMap((a) => nested(a, path));
  return [];
}

const esc = (t: string) => t.replaceAll('|', '\\|');

export function generateConfigReference(): string {
  const all = rows();
  const sections = [...new Set(all.map((r) => r.path.split(/[.[]/)[0]!))];
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated by scripts/gen-config-reference.ts from src/config/schema.ts and src/config/defaults.ts: do not edit. -->',
    '<!-- Regenerate: node --import tsx scripts/gen-config-reference.ts -->',
    '',
    'Every key of the YAML format, with its type, default and valid range. `[]` marks a list entry;',
    'keys of keepalived.conf map to these as described in [config.md](config.md), which also explains',
    'what each one does. Durations carry their unit in the name (`...Ms` milliseconds, `...S` seconds).',
    'Top-level keys starting with `x-` are free-form (YAML anchors). In the default and range',
    'columns, `—` means none: the key is unset unless written, and the type is the only limit.',
    '`virtualServers[].protocol` is required for address and group services; a virtual server is',
    'exactly one of `address` + `port`, `fwmark`, or `group`.',
    '',
  ];
  for (const sec of sections) {
    lines.push(`## ${sec}`, '', '| key | type | default | range | notes |', '|---|---|---|---|---|');
    for (const r of all.filter((x) => x.path === sec || x.path.startsWith(`${sec}.`) || x.path.startsWith(`${sec}[]`))) {
      lines.push(`| \`${r.path}\` | ${esc(r.type)} | ${esc(r.required ? '**required**' : r.default)} | ${esc(r.range)} | ${esc(r.about)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generateConfigReference();
  if (process.argv.includes('--check')) {
    let cur = '';
    try { cur = readFileSync(OUTPUT, 'utf8'); } catch { /* missing = stale */ }
    if (cur !== text) { console.error(`${OUTPUT} is stale: run node --import tsx scripts/gen-config-reference.ts`); process.exit(1); }
  } else {
    writeFileSync(OUTPUT, text);
    console.log(`wrote ${OUTPUT}`);
  }
}
