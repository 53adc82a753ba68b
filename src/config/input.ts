// The raw configuration shape both readers produce, before defaults: the YAML format documented in
// docs/config.md is exactly this shape, and the keepalived.conf translator builds it too.
// Field names and array order match src/config/model.ts, so a JSON-pointer path such as
// "/vrrpInstances/0/vrid" names the same thing in the input, the model and the source map.
import type { AnnouncementsInput } from './announcements.js';
import type { SourcePos, SourceMap } from './positions.js';
import type { CheckerCommon, CheckerType, DNS_TYPES, FifoSpec, GarpTiming, LbKind, Protocol, SchedFlag, Scheduler, VrrpState } from './model.js';

/** A command as written: "prog arg 'quoted arg'", an argv array, or an object with user/group. */
export type ScriptInput = string | string[] | { argv: string | string[]; user?: string; group?: string };

export interface GlobalInput {
  routerId?: string;
  vrrpVersion?: 2 | 3;
  v3ChecksumAsV2?: boolean;
  scriptSecurity?: boolean;
  scriptUser?: { user: string; group?: string };
  notifyFifo?: FifoSpec;
  vrrpNotifyFifo?: FifoSpec;
  lvsNotifyFifo?: FifoSpec;
  mcastGroup4?: string;
  mcastGroup6?: string;
  defaultInterface?: string;
  vrrpStrict?: boolean;
  skipCheckAdvAddr?: boolean;
  /** vrrp_check_unicast_src: every instance's checkUnicastSrc unless it sets its own. */
  checkUnicastSrc?: boolean;
  lvsFlush?: boolean;
  lvsFlushOnStop?: boolean;
  lvsTimeouts?: { tcpS?: number; tcpFinS?: number; udpS?: number };
  /** vrrpInstance is required; keepalived.conf without one is refused by the translator. */
  lvsSyncDaemon?: { interface: string; vrrpInstance?: string; syncId?: number; maxLen?: number; port?: number; ttl?: number; group?: string };
  /** vrrp_garp_* / vrrp_gna_interval: defaults for every instance's garp. */
  garp?: Partial<GarpTiming>;
  /** vrrp_startup_delay: no instance becomes master before this long after the daemon starts. */
  vrrpStartupDelayMs?: number;
  /** vrrp_notify_priority_changes: every instance's notifyPriorityChanges unless it sets its own. */
  vrrpNotifyPriorityChanges?: boolean;
  /** vrrp_lower_prio_no_advert / vrrp_higher_prio_send_advert: every instance's default (not under strict). */
  vrrpLowerPrioNoAdvert?: boolean;
  vrrpHigherPrioSendAdvert?: boolean;
}

/** "10.0.0.1/24" or an object with the extra ip-addr options. */
export type VipInput = string | {
  address: string; dev?: string; label?: string; scope?: string; broadcast?: string; noTrack?: boolean;
};
export type PeerInput = string | { address: string; minTtl?: number; maxTtl?: number };
export type TrackInterfaceInput = string | { name: string; weight?: number; reverse?: boolean };
export type TrackRefInput = string | { name: string; weight?: number; reverse?: boolean };

export interface NotifyInput {
  any?: ScriptInput; master?: ScriptInput; backup?: ScriptInput; fault?: ScriptInput; stop?: ScriptInput;
  /** notify_deleted SCRIPT / notify_master_rx_lower_pri SCRIPT (instances only). */
  deleted?: ScriptInput; masterRxLowerPri?: ScriptInput;
}

/** virtual_routes line (YAML `virtualRoutes`): model.ts VirtualRoute before checking. */
export interface VirtualRouteInput {
  to: string; type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';
  src?: string; via?: string; dev?: string; table?: number; metric?: number; scope?: string; noTrack?: boolean;
}
/** virtual_rules line (YAML `virtualRules`). */
export interface VirtualRuleInput {
  from?: string; to?: string; table?: number; action?: 'table' | 'blackhole' | 'unreachable' | 'prohibit';
  priority?: number; iif?: string; oif?: string; tos?: number; fwmark?: number; fwmask?: number; noTrack?: boolean;
}

export interface VrrpInstanceInput {
  name: string;
  interface?: string;
  vrid?: number;
  priority?: number;
  state?: VrrpState;
  version?: 2 | 3;
  advertIntervalMs?: number;
  preempt?: boolean;
  preemptDelayMs?: number;
  unicastSrcIp?: string;
  unicastPeers?: PeerInput[];
  mcastSrcIp?: string;
  authPass?: string;
  authType?: 'PASS' | 'AH';
  checkUnicastSrc?: boolean;
  virtualIps?: VipInput[];
  excludedVips?: VipInput[];
  virtualRoutes?: VirtualRouteInput[];
  virtualRules?: VirtualRuleInput[];
  /** use_vmac: a macvlan with the VRRP virtual MAC (name default vrrp.VRID). */
  vmac?: { name?: string };
  vmacXmitBase?: boolean;
  trackInterfaces?: TrackInterfaceInput[];
  trackScripts?: TrackRefInput[];
  trackFiles?: TrackRefInput[];
  trackProcesses?: TrackRefInput[];
  garp?: Partial<GarpTiming>;
  notify?: NotifyInput;
  accept?: boolean;
  dontTrackPrimary?: boolean;
  downTimerAdverts?: number;
  /** notify_deleted: a reload that removes the instance notifies DELETED instead of FAULT. */
  notifyDeleted?: boolean;
  /** strict_mode (default global vrrpStrict), lower_prio_no_advert, higher_prio_send_advert. */
  strictMode?: boolean;
  lowerPrioNoAdvert?: boolean;
  higherPrioSendAdvert?: boolean;
  /** notify_priority_changes: MASTER_PRIORITY / BACKUP_PRIORITY lines on the notify FIFO. */
  notifyPriorityChanges?: boolean;
  /** unicast_fault_no_peer: unicast without peers is FAULT instead of falling back to multicast. */
  unicastFaultNoPeer?: boolean;
}

export interface VrrpScriptInput {
  name: string;
  script?: ScriptInput;
  intervalMs?: number;
  timeoutMs?: number;
  weight?: number;
  reverse?: boolean;
  rise?: number;
  fall?: number;
  initFail?: boolean;
}

export interface TrackFileInput { name: string; path?: string; weight?: number; reverse?: boolean }

export interface TrackProcessInput {
  name: string; process?: string; params?: string[]; paramMatch?: 'exact' | 'partial' | 'initial'; fullCommand?: boolean;
  weight?: number; reverse?: boolean; quorum?: number; quorumMax?: number; forkDelayMs?: number; terminateDelayMs?: number;
}

export interface SyncGroupInput {
  name: string;
  instances?: string[];
  notify?: NotifyInput;
  trackInterfaces?: TrackInterfaceInput[];
  trackScripts?: TrackRefInput[];
  trackFiles?: TrackRefInput[];
  trackProcesses?: TrackRefInput[];
}

/** Checker timing written on a checker, or on its real or virtual server for all its checkers. */
export type CheckerTimingInput = Partial<Pick<CheckerCommon, 'connectTimeoutMs' | 'retry' | 'delayBeforeRetryMs' | 'delayLoopMs' | 'warmupMs' | 'alpha'>>;

/** What cascades virtual server -> real server -> checker. */
export interface CascadeInput extends CheckerTimingInput {
  inhibitOnFailure?: boolean;
  virtualhost?: string;
  lbKind?: LbKind;
}

export interface UrlInput {
  path: string; statusCodes?: Array<number | string>; digest?: string; virtualhost?: string; regex?: string; regexNoMatch?: boolean;
}

export interface CheckerInput extends CheckerTimingInput, Partial<Pick<CheckerCommon, 'connectIp' | 'connectPort' | 'bindTo' | 'bindPort' | 'bindIf' | 'fwmark'>> {
  type: CheckerType;
  // HTTP_GET / SSL_GET
  urls?: UrlInput[];
  virtualhost?: string;
  httpProtocol?: '1.0' | '1.0C' | '1.1';
  enableSni?: boolean;
  sniName?: string;
  // MISC_CHECK
  script?: ScriptInput;
  miscTimeoutMs?: number;
  dynamic?: boolean;
  // UDP_CHECK
  payloadHex?: string;
  requireReply?: boolean;
  replyHex?: string;
  minReplyLength?: number;
  maxReplyLength?: number;
  // DNS_CHECK
  queryType?: typeof DNS_TYPES[number];
  name?: string;
  // SMTP_CHECK
  heloName?: string;
  // FILE_CHECK
  trackFile?: string;
  weight?: number;
  reverse?: boolean;
  // GRPC_CHECK
  service?: string;
  tls?: boolean;
  authority?: string;
}

export interface RealServerInput extends CascadeInput {
  address: string;
  port?: number;
  weight?: number;
  notifyUp?: ScriptInput;
  notifyDown?: ScriptInput;
  upperThreshold?: number;
  lowerThreshold?: number;
  checkers?: CheckerInput[];
}

export interface SorryServerInput { address: string; port?: number; lbKind?: LbKind; inhibit?: boolean }

export interface VirtualServerInput extends CascadeInput {
  address?: string;
  port?: number;
  fwmark?: number;
  group?: string;
  /** ip_family: needed only for fwmark / group services whose family cannot be inferred. */
  family?: 4 | 6;
  protocol?: Protocol;
  lbAlgo?: Scheduler;
  schedFlags?: SchedFlag[];
  ops?: boolean;
  persistenceTimeoutS?: number;
  persistenceGranularity?: string;
  quorum?: number;
  hysteresis?: number;
  quorumUp?: ScriptInput;
  quorumDown?: ScriptInput;
  sorryServer?: SorryServerInput;
  omega?: boolean;
  haSuspend?: boolean;
  realServers?: RealServerInput[];
}

export interface VirtualServerGroupInput { name: string; entries?: Array<{ address?: string; port?: number; fwmark?: number; family?: 4 | 6 }> }

export interface ConfigInput {
  global?: GlobalInput;
  vrrpScripts?: VrrpScriptInput[];
  trackFiles?: TrackFileInput[];
  trackProcesses?: TrackProcessInput[];
  vrrpInstances?: VrrpInstanceInput[];
  syncGroups?: SyncGroupInput[];
  virtualServerGroups?: VirtualServerGroupInput[];
  virtualServers?: VirtualServerInput[];
  announcements?: AnnouncementsInput;
}

export type { SourcePos, SourceMap } from './positions.js';

/** A JSON-pointer path as the YAML author writes it: `/vrrpInstances/0/vrid` -> `vrrpInstances[0].vrid`. */
export function displayPath(path: string): string {
  if (path === '') return 'the document';
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

/**
 * Position of `path`, or of its nearest ancestor that has one. A copy holding only file, line and
 * col: a store may keep the reader's own token objects as positions (no copy per value read).
 */
export function lookupPos(map: SourceMap, path: string, fallbackFile: string): SourcePos {
  for (let p = path; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const pos = map.get(p);
    if (pos) return { file: pos.file, line: pos.line, col: pos.col };
    if (p === '') return { file: fallbackFile, line: 1, col: 1 };
  }
}
