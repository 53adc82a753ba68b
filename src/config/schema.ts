// JSON Schema of the YAML format (= the raw input shape, src/config/input.ts). It checks shape and
// types only (no coercion, unknown keys refused); ranges and cross references are checked by
// semantic.ts so YAML and keepalived.conf get the same messages.
import { ANNOUNCEMENTS_SCHEMA } from './announcements.js';
import { DNS_TYPES, LB_KINDS, SCHED_FLAGS, SCHEDULERS } from './model.js';

type S = Record<string, unknown>;
const str: S = { type: 'string', minLength: 1 };
const int: S = { type: 'integer' };
const ms: S = { type: 'number', minimum: 0, description: 'milliseconds' };
const bool: S = { type: 'boolean' };
const strList: S = { type: 'array', items: str };
const obj = (properties: S, required: string[] = []): S => ({ type: 'object', properties, required, additionalProperties: false });
const oneOfDesc = (description: string, ...anyOf: S[]): S => ({ description, anyOf });
const enumOf = (values: readonly (string | number)[]): S => ({ enum: [...values] });

const script = oneOfDesc('a command line string, a list of argv strings, or {argv, user, group}',
  str, { type: 'array', items: { type: 'string' }, minItems: 1 },
  obj({ argv: { anyOf: [str, { type: 'array', items: { type: 'string' }, minItems: 1 }] }, user: str, group: str }, ['argv']));
const fifo = obj({ path: str, user: str, group: str }, ['path']);
const garp = obj({
  masterDelayMs: ms, masterRepeat: int, lowerPrioDelayMs: ms, lowerPrioRepeat: int,
  masterRefreshMs: ms, masterRefreshRepeat: int, intervalMs: ms, gnaIntervalMs: ms,
});
const notify = obj({ any: script, master: script, backup: script, fault: script, stop: script });
const instanceNotify = obj({ any: script, master: script, backup: script, fault: script, stop: script, deleted: script, masterRxLowerPri: script });
const named = (what: string, extra: S = {}) => oneOfDesc(`a ${what} name or {name, weight, reverse}`, str, obj({ name: str, weight: int, reverse: bool, ...extra }, ['name']));
const vip = oneOfDesc('an "address/prefix" string or {address, dev, label, scope, broadcast, noTrack}',
  str, obj({ address: str, dev: str, label: str, scope: str, broadcast: str, noTrack: bool }, ['address']));
const virtualRoute = obj({
  to: str, type: enumOf(['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw']), src: str, via: str, dev: str,
  table: int, metric: int, scope: str, noTrack: bool,
}, ['to']);
const virtualRule = obj({
  from: str, to: str, table: int, action: enumOf(['table', 'blackhole', 'unreachable', 'prohibit']), priority: int,
  iif: str, oif: str, tos: int, fwmark: int, fwmask: int, noTrack: bool,
});
const peer = oneOfDesc('an address string or {address, minTtl, maxTtl}', str, obj({ address: str, minTtl: int, maxTtl: int }, ['address']));

const global = obj({
  routerId: str, vrrpVersion: enumOf([2, 3]), v3ChecksumAsV2: bool, scriptSecurity: bool,
  scriptUser: obj({ user: str, group: str }, ['user']), notifyFifo: fifo, vrrpNotifyFifo: fifo, lvsNotifyFifo: fifo,
  mcastGroup4: str, mcastGroup6: str, defaultInterface: str, vrrpStrict: bool, skipCheckAdvAddr: bool, lvsFlush: bool, garp,
  checkUnicastSrc: bool,
  lvsFlushOnStop: bool, vrrpStartupDelayMs: ms, vrrpNotifyPriorityChanges: bool,
  vrrpLowerPrioNoAdvert: bool, vrrpHigherPrioSendAdvert: bool,
  lvsTimeouts: obj({ tcpS: int, tcpFinS: int, udpS: int }),
  lvsSyncDaemon: obj({ interface: str, vrrpInstance: str, syncId: int, maxLen: int, port: int, ttl: int, group: str }, ['interface', 'vrrpInstance']),
});

const instance = obj({
  name: str, interface: str, vrid: int, priority: int, state: enumOf(['MASTER', 'BACKUP']), version: enumOf([2, 3]),
  advertIntervalMs: ms, preempt: bool, preemptDelayMs: ms, unicastSrcIp: str, unicastPeers: { type: 'array', items: peer },
  mcastSrcIp: str, authPass: str, authType: enumOf(['PASS', 'AH']), checkUnicastSrc: bool, virtualIps: { type: 'array', items: vip }, excludedVips: { type: 'array', items: vip },
  virtualRoutes: { type: 'array', items: virtualRoute }, virtualRules: { type: 'array', items: virtualRule },
  vmac: obj({ name: str }), vmacXmitBase: bool,
  trackInterfaces: { type: 'array', items: named('interface') }, trackScripts: { type: 'array', items: named('vrrp script') },
  trackFiles: { type: 'array', items: named('track file') }, garp, notify: instanceNotify, accept: bool, dontTrackPrimary: bool, downTimerAdverts: int,
  notifyDeleted: bool, notifyPriorityChanges: bool, unicastFaultNoPeer: bool,
  strictMode: bool, lowerPrioNoAdvert: bool, higherPrioSendAdvert: bool,
  trackProcesses: { type: 'array', items: named('track process') },
}, ['name']);

const vrrpScript = obj({ name: str, script, intervalMs: ms, timeoutMs: ms, weight: int, reverse: bool, rise: int, fall: int, initFail: bool }, ['name', 'script']);
const trackFile = obj({ name: str, path: str, weight: int, reverse: bool }, ['name', 'path']);
const trackProcess = obj({
  name: str, process: str, params: strList, paramMatch: enumOf(['exact', 'partial', 'initial']), fullCommand: bool,
  weight: int, reverse: bool, quorum: int, quorumMax: int, forkDelayMs: ms, terminateDelayMs: ms,
}, ['name', 'process']);
const syncGroup = obj({
  name: str, instances: strList, notify,
  trackInterfaces: { type: 'array', items: named('interface') }, trackScripts: { type: 'array', items: named('vrrp script') },
  trackFiles: { type: 'array', items: named('track file') },
  trackProcesses: { type: 'array', items: named('track process') },
}, ['name', 'instances']);

const cascade = { connectTimeoutMs: ms, retry: int, delayBeforeRetryMs: ms, delayLoopMs: ms, warmupMs: ms, alpha: bool };
const url = obj({
  path: str, statusCodes: { type: 'array', items: { anyOf: [int, str] }, minItems: 1 }, digest: str, virtualhost: str,
  regex: str, regexNoMatch: bool,
}, ['path']);
const checker = obj({
  type: enumOf(['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'PING_CHECK', 'MISC_CHECK', 'UDP_CHECK', 'DNS_CHECK', 'SMTP_CHECK', 'FILE_CHECK', 'GRPC_CHECK']),
  ...cascade, connectIp: str, connectPort: int, bindTo: str, bindPort: int, bindIf: str, fwmark: int,
  urls: { type: 'array', items: url }, virtualhost: str, httpProtocol: enumOf(['1.0', '1.0C', '1.1']), enableSni: bool,
  script, miscTimeoutMs: ms, dynamic: bool,
  payloadHex: { type: 'string', pattern: '^[0-9a-fA-F]+$' }, requireReply: bool, replyHex: { type: 'string', pattern: '^[0-9a-fA-FxX]+$' },
  minReplyLength: int, maxReplyLength: int, queryType: enumOf(DNS_TYPES), name: str,
  sniName: str, heloName: str, trackFile: str, weight: int, reverse: bool,
  service: { type: 'string' }, tls: bool, authority: str,
}, ['type']);
const lbKind = enumOf(LB_KINDS);
const realServer = obj({
  ...cascade, inhibitOnFailure: bool, virtualhost: str, lbKind,
  address: str, port: int, weight: int, notifyUp: script, notifyDown: script, upperThreshold: int, lowerThreshold: int,
  checkers: { type: 'array', items: checker },
}, ['address']);
/** YAML has no default protocol for a service chosen by address (keepalived.conf's is UDP). */
const protocolRequired: S = {
  // ajv's strict mode wants every required key declared next to it.
  if: { anyOf: [{ properties: { address: {} }, required: ['address'] }, { properties: { group: {} }, required: ['group'] }] },
  then: { properties: { protocol: {} }, required: ['protocol'] },
};
const virtualServer = { ...obj({
  ...cascade, inhibitOnFailure: bool, virtualhost: str, lbKind,
  address: str, port: int, fwmark: int, group: str, family: enumOf([4, 6]), protocol: enumOf(['TCP', 'UDP', 'SCTP']),
  lbAlgo: enumOf(SCHEDULERS), schedFlags: { type: 'array', items: enumOf(SCHED_FLAGS) }, ops: bool,
  persistenceTimeoutS: int, persistenceGranularity: str, quorum: int, hysteresis: int, quorumUp: script, quorumDown: script,
  sorryServer: obj({ address: str, port: int, lbKind, inhibit: bool }, ['address']),
  omega: bool, haSuspend: bool, realServers: { type: 'array', items: realServer },
}), ...protocolRequired };
const vsGroup = obj({
  name: str,
  entries: { type: 'array', items: obj({ address: str, port: int, fwmark: int, family: enumOf([4, 6]) }) },
}, ['name', 'entries']);

/**
 * How the schema is compiled (ahead of time, scripts/gen-config-validator.ts): every error in one
 * run, no coercion; verbose so that errors carry their schema (a union's description words its failure).
 */
export const AJV_OPTIONS = { allErrors: true, coerceTypes: false, useDefaults: false, strict: true, verbose: true } as const;

export const CONFIG_SCHEMA: S = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'vipkeeper configuration',
  // Top-level `x-...` keys are free-form: a place for YAML anchors shared by several entries.
  patternProperties: { '^x-': {} },
  ...obj({
    global,
    vrrpScripts: { type: 'array', items: vrrpScript },
    trackFiles: { type: 'array', items: trackFile },
    trackProcesses: { type: 'array', items: trackProcess },
    vrrpInstances: { type: 'array', items: instance },
    syncGroups: { type: 'array', items: syncGroup },
    virtualServerGroups: { type: 'array', items: vsGroup },
    virtualServers: { type: 'array', items: virtualServer },
    announcements: ANNOUNCEMENTS_SCHEMA,
  }),
};
