// Raw input -> model for one checker. Timing cascades checker -> real server -> virtual server
// (keepalived.conf(5)), then falls back to DEFAULTS; FILE_CHECK resolves its track_file here.
import { DEFAULTS, defaultDelayBeforeRetryMs, defaultRetry } from './defaults.js';
import type { Checker, CheckerCommon, CheckerType, HttpUrl } from './model.js';
import type { CascadeInput, CheckerInput, TrackFileInput, UrlInput } from './input.js';
import { address, script, statusRanges, type Reporter } from './normalize.js';
import { Positions } from './positions.js';

const CASCADED = ['connectTimeoutMs', 'retry', 'delayBeforeRetryMs', 'delayLoopMs', 'warmupMs', 'alpha'] as const;

/** Timers that default from the checker's delay_loop. */
const FROM_DELAY_LOOP = ['warmupMs', 'miscTimeoutMs', 'delayBeforeRetryMs'];
const CHECKER_FIELD = /^((\/virtualServers\/\d+)\/realServers\/\d+)\/checkers\/\d+\/([A-Za-z]+)$/;

/**
 * Where a checker's timer that it does not set itself was written: its real server's, then its
 * virtual server's, then (for the delay_loop-derived ones) its own delay_loop, itself inherited.
 */
function inheritedFrom(path: string): string[] | undefined {
  const m = CHECKER_FIELD.exec(path);
  if (!m) return undefined;
  const [, rs, vs, f] = m as unknown as [string, string, string, string];
  const out = (CASCADED as readonly string[]).includes(f) ? [`${rs}/${f}`, `${vs}/${f}`] : [];
  if (FROM_DELAY_LOOP.includes(f)) out.push(`${path.slice(0, -f.length)}delayLoopMs`);
  return out;
}

/**
 * A timer a checker inherits (or defaults from delay_loop) is reported at the line that wrote it.
 * A Positions store derives that at lookup time (one rule, instead of 15 copies per checker).
 */
function inheritPositions(r: Reporter, path: string): void {
  if (r.sources instanceof Positions) { r.sources.addFallback(inheritedFrom); return; }
  const owners = [path.slice(0, path.lastIndexOf('/checkers/')), path.slice(0, path.lastIndexOf('/realServers/'))];
  for (const f of CASCADED) for (const o of owners) r.alias(`${path}/${f}`, `${o}/${f}`);
  for (const f of FROM_DELAY_LOOP) r.alias(`${path}/${f}`, `${path}/delayLoopMs`);
}

function common(c: CheckerInput, rs: CascadeInput, vs: CascadeInput, path: string, r: Reporter): CheckerCommon {
  inheritPositions(r, path);
  const d = DEFAULTS.checker;
  const delayLoopMs = c.delayLoopMs ?? rs.delayLoopMs ?? vs.delayLoopMs ?? d.delayLoopMs;
  const out: CheckerCommon = {
    connectTimeoutMs: c.connectTimeoutMs ?? rs.connectTimeoutMs ?? vs.connectTimeoutMs ?? d.connectTimeoutMs,
    retry: c.retry ?? rs.retry ?? vs.retry ?? defaultRetry(c.type),
    delayBeforeRetryMs: c.delayBeforeRetryMs ?? rs.delayBeforeRetryMs ?? vs.delayBeforeRetryMs ?? defaultDelayBeforeRetryMs(c.type, delayLoopMs),
    delayLoopMs,
    warmupMs: c.warmupMs ?? rs.warmupMs ?? vs.warmupMs ?? delayLoopMs,
    alpha: c.alpha ?? rs.alpha ?? vs.alpha ?? DEFAULTS.virtualServer.alpha,
  };
  if (c.connectIp !== undefined) {
    const a = address(r, `${path}/connectIp`, c.connectIp, 'connect_ip');
    if (a) out.connectIp = a.address;
  }
  if (c.bindTo !== undefined) {
    const a = address(r, `${path}/bindTo`, c.bindTo, 'bindto');
    if (a) out.bindTo = a.address;
  }
  if (c.connectPort !== undefined) out.connectPort = c.connectPort;
  if (c.bindPort !== undefined) out.bindPort = c.bindPort;
  if (c.bindIf !== undefined) {
    out.bindIf = c.bindIf;
    // node:net, node:tls and node:dgram cannot bind a socket to a device (SO_BINDTODEVICE); only
    // PING_CHECK's raw socket (the addon) does. FILE_CHECK refuses the key elsewhere.
    if (c.type !== 'PING_CHECK' && c.type !== 'FILE_CHECK') {
      r.warn(`${path}/bindIf`, `bind_if on ${c.type} is not implemented by vipkeeper; the check leaves by the routing table's interface (bindto ADDRESS sets its source)`);
    }
  }
  if (c.fwmark !== undefined) {
    out.fwmark = c.fwmark;
    // No probe sets SO_MARK: node's sockets cannot, and the ICMP pinger does not.
    if (c.type !== 'FILE_CHECK') {
      r.warn(`${path}/fwmark`, `fwmark on ${c.type} is not implemented by vipkeeper; its packets leave unmarked, so mark-based routing rules do not apply to them`);
    }
  }
  return out;
}

function buildUrl(r: Reporter, type: string, path: string, u: UrlInput): HttpUrl {
  if (u.path === undefined) r.missing(`${path}/path`, `${type} url`, 'path');
  const url: HttpUrl = {
    path: u.path ?? '/',
    statusCodes: u.statusCodes ? statusRanges(r, `${path}/statusCodes`, u.statusCodes) : DEFAULTS.checker.statusCodes.map(([a, b]) => [a, b] as [number, number]),
  };
  if (u.digest !== undefined) url.digest = u.digest.toLowerCase();
  if (u.virtualhost !== undefined) url.virtualhost = u.virtualhost;
  if (u.regex !== undefined) {
    url.regex = u.regex;
    url.regexNoMatch = u.regexNoMatch ?? DEFAULTS.checker.regexNoMatch;
  } else if (u.regexNoMatch) {
    // keepalived drops it with a log line; a check that silently inverts nothing is worse.
    r.error(`${path}/regexNoMatch`, `${type} url: regex_no_match needs a regex to not match`);
  }
  return url;
}

/** Keys FILE_CHECK does not take: it reads a file, it connects nowhere and runs no timer of its own. */
const NOT_FOR_FILE = ['connectIp', 'connectPort', 'bindTo', 'bindPort', 'bindIf', 'fwmark', ...CASCADED] as const;

function buildFileCheck(r: Reporter, path: string, c: CheckerInput, base: CheckerCommon, files: TrackFileInput[]): Checker {
  for (const k of NOT_FOR_FILE) {
    if (c[k] !== undefined) r.error(`${path}/${k}`, `FILE_CHECK takes only track_file and weight [reverse], not ${k}`);
  }
  if (c.trackFile === undefined) r.missing(`${path}/trackFile`, 'FILE_CHECK', 'track_file', ' (the name of a track file)');
  const def = c.trackFile === undefined ? undefined : files.find((f) => f.name === c.trackFile);
  if (c.trackFile !== undefined && !def) r.error(`${path}/trackFile`, `FILE_CHECK: track_file '${c.trackFile}' is not defined`);
  // keepalived: a weight of 0 (or none) takes the track_file's weight and reverse.
  const own = c.weight !== undefined && c.weight !== 0;
  return {
    type: 'FILE_CHECK', ...base,
    trackFile: c.trackFile ?? '',
    path: def?.path ?? '',
    weight: own ? c.weight! : def?.weight ?? DEFAULTS.trackFile.weight,
    reverse: own ? c.reverse ?? DEFAULTS.trackFile.reverse : def?.reverse ?? DEFAULTS.trackFile.reverse,
  };
}

const HTTP: CheckerType[] = ['HTTP_GET', 'SSL_GET'];
/** Keys only some checker types take (YAML can write any key on any checker; keepalived.conf cannot). */
const OWNERS: Partial<Record<keyof CheckerInput, CheckerType[]>> = {
  urls: HTTP, virtualhost: HTTP, httpProtocol: HTTP, enableSni: HTTP, sniName: HTTP,
  script: ['MISC_CHECK'], miscTimeoutMs: ['MISC_CHECK'], dynamic: ['MISC_CHECK'],
  payloadHex: ['UDP_CHECK'], requireReply: ['UDP_CHECK'], replyHex: ['UDP_CHECK'], minReplyLength: ['UDP_CHECK'], maxReplyLength: ['UDP_CHECK'],
  queryType: ['DNS_CHECK'], name: ['DNS_CHECK'], heloName: ['SMTP_CHECK'],
  trackFile: ['FILE_CHECK'], weight: ['FILE_CHECK'], reverse: ['FILE_CHECK'],
  service: ['GRPC_CHECK'], tls: ['GRPC_CHECK'], authority: ['GRPC_CHECK'],
};

const OPTIONAL_COMMON = ['connectIp', 'bindTo', 'connectPort', 'bindPort', 'bindIf', 'fwmark'] as const;

/**
 * `{ type, ...base }` written out: V8 copies a spread object through a slow generic path; on
 * 10,000 checkers the spreads cost more than the rest of the build (bench/config-check.ts).
 */
function typed<T extends CheckerType>(type: T, b: CheckerCommon): CheckerCommon & { type: T } {
  const o: CheckerCommon & { type: T } = {
    type, connectTimeoutMs: b.connectTimeoutMs, retry: b.retry, delayBeforeRetryMs: b.delayBeforeRetryMs,
    delayLoopMs: b.delayLoopMs, warmupMs: b.warmupMs, alpha: b.alpha,
  };
  for (const k of OPTIONAL_COMMON) if (b[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = b[k];
  return o;
}

const OWNER_ENTRIES = Object.entries(OWNERS) as Array<[keyof CheckerInput, CheckerType[]]>;

export function buildChecker(r: Reporter, path: string, c: CheckerInput, rs: CascadeInput, vs: CascadeInput, files: TrackFileInput[]): Checker {
  // Most checkers hold none of these keys: a look at the checker's own few keys settles that
  // without 22 lookups of absent keys; otherwise the table's order decides which error comes first.
  const owned = Object.keys(c).some((k) => Object.hasOwn(OWNERS, k));
  for (const [key, owners] of owned ? OWNER_ENTRIES : []) {
    // A key the probe would never read is a mistake the operator should hear about.
    if (c[key] !== undefined && !owners.includes(c.type)) r.error(`${path}/${key}`, `${c.type} does not take '${key}' (a ${owners.join(' / ')} setting)`);
  }
  const base = common(c, rs, vs, path, r);
  const d = DEFAULTS.checker;
  switch (c.type) {
    case 'TCP_CHECK': return typed('TCP_CHECK', base);
    case 'PING_CHECK': return typed('PING_CHECK', base);
    case 'HTTP_GET':
    case 'SSL_GET': {
      if (!c.urls?.length) r.error(path, `${c.type} needs at least one url { path ... } block`);
      const urls = (c.urls ?? []).map((u, i) => buildUrl(r, c.type, `${path}/urls/${i}`, u));
      const http = typed(c.type, base) as Extract<Checker, { type: 'HTTP_GET' | 'SSL_GET' }>;
      http.urls = urls;
      http.httpProtocol = c.httpProtocol ?? d.httpProtocol;
      http.enableSni = c.enableSni ?? d.enableSni;
      const vh = c.virtualhost ?? rs.virtualhost ?? vs.virtualhost;
      if (vh !== undefined) http.virtualhost = vh;
      if (c.sniName !== undefined) http.sniName = c.sniName;
      return http;
    }
    case 'MISC_CHECK': {
      if (c.script === undefined) r.missing(`${path}/script`, 'MISC_CHECK', 'misc_path');
      return {
        type: 'MISC_CHECK', ...base,
        script: script(r, `${path}/script`, c.script, 'misc_path') ?? { argv: [] },
        miscTimeoutMs: c.miscTimeoutMs ?? base.delayLoopMs,
        dynamic: c.dynamic ?? d.miscDynamic,
      };
    }
    case 'UDP_CHECK': {
      const u: Checker = {
        type: 'UDP_CHECK', ...base,
        requireReply: c.requireReply ?? false,
        minReplyLength: c.minReplyLength ?? d.udpMinReplyLength,
        maxReplyLength: c.maxReplyLength ?? d.udpMaxReplyLength,
      };
      if (c.payloadHex !== undefined) u.payloadHex = c.payloadHex;
      if (c.replyHex !== undefined) u.replyHex = c.replyHex;
      return u;
    }
    case 'DNS_CHECK':
      return { type: 'DNS_CHECK', ...base, queryType: c.queryType ?? d.dnsQueryType, name: c.name ?? d.dnsName };
    case 'SMTP_CHECK': {
      const smtp: Checker = { type: 'SMTP_CHECK', ...base };
      if (c.heloName !== undefined) smtp.heloName = c.heloName;
      return smtp;
    }
    case 'FILE_CHECK':
      return buildFileCheck(r, path, c, base, files);
    case 'GRPC_CHECK': {
      const grpc: Checker = { type: 'GRPC_CHECK', ...base, service: c.service ?? d.grpcService, tls: c.tls ?? d.grpcTls };
      if (c.authority !== undefined) grpc.authority = c.authority;
      return grpc;
    }
  }
}
