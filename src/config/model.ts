// The one typed model of a vipkeeper configuration, after parsing (YAML or keepalived.conf),
// defaults (src/config/defaults.ts, the only place defaults live) and semantic validation.
// Field names are camelCase forms of keepalived keywords; durations carry their unit in the name
// (`...Ms` = milliseconds); addresses are canonical text plus their family.
// Runtime code (VRRP daemon, checkers, IPVS reconciler) reads only these types.

export type Family = 4 | 6;

/** An external program: argv[0] is the executable; never run through a shell. */
export interface ScriptCommand {
  argv: string[];
  /** Run as this user (keepalived `... username [groupname]`); else global scriptUser, else root. */
  user?: string;
  group?: string;
}

// ---------------------------------------------------------------- global_defs

export interface GlobalDefs {
  /** router_id; default: the host name (resolved at runtime, so undefined here). */
  routerId?: string;
  /** vrrp_version: default VRRP version for instances (default 2; IPv6 instances always use 3). */
  vrrpVersion: 2 | 3;
  /** v3_checksum_as_v2 (keepalived name: also per-instance): VRRPv3 IPv4 checksum without pseudo-header. */
  v3ChecksumAsV2: boolean;
  /** enable_script_security: refuse scripts writable by non-root users (default false). */
  scriptSecurity: boolean;
  /** script_user USER [GROUP]: default user for scripts; undefined = keepalived_script if it exists, else root. */
  scriptUser?: { user: string; group?: string };
  /** notify_fifo PATH [USER [GROUP]]: every state change is written as a line to this FIFO. */
  notifyFifo?: FifoSpec;
  /** vrrp_notify_fifo: as notifyFifo, VRRP events only. */
  vrrpNotifyFifo?: FifoSpec;
  /** lvs_notify_fifo: as notifyFifo, checker events only. */
  lvsNotifyFifo?: FifoSpec;
  /** vrrp_mcast_group4 (default 224.0.0.18). */
  mcastGroup4: string;
  /** vrrp_mcast_group6 (default ff02::12). */
  mcastGroup6: string;
  /** default_interface: device for VIPs without `dev` (default eth0). */
  defaultInterface: string;
  /** vrrp_strict: RFC-strict mode (default false). */
  vrrpStrict: boolean;
  /** vrrp_skip_check_adv_addr (default false). */
  skipCheckAdvAddr: boolean;
  /** lvs_flush: flush the IPVS table at start (default false). */
  lvsFlush: boolean;
  /** lvs_flush_on_stop: flush the whole IPVS table at stop (default false; else only what we created). */
  lvsFlushOnStop: boolean;
  /** lvs_sync_daemon IFACE VRRP_INSTANCE [id N] [maxlen L] [port P] [ttl T] [group ADDR]. */
  lvsSyncDaemon?: LvsSyncDaemon;
  /** lvs_timeouts tcp N tcpfin N udp N (seconds, 0-2678400; 0 leaves the kernel's value), applied at start. */
  lvsTimeouts?: { tcpS?: number; tcpFinS?: number; udpS?: number };
  /** vrrp_startup_delay: at daemon start (not reload) no instance becomes master before this (ms). */
  vrrpStartupDelayMs?: number;
}

/** The kernel's IPVS connection-sync daemon, master while the VRRP instance is MASTER, backup otherwise. */
export interface LvsSyncDaemon {
  interface: string;
  /** Name of the VRRP instance whose state it follows. */
  vrrpInstance: string;
  /** Sync id 0-255 (default: the instance's VRID, filled in by the builder). */
  syncId?: number;
  /** maxlen: max sync message size (default: kernel's). */
  maxLen?: number;
  /** UDP port (default 8848). */
  port?: number;
  /** multicast TTL (default 1). */
  ttl?: number;
  /** multicast group (default 224.0.0.81 / ff02::8848). */
  group?: string;
}

export interface FifoSpec { path: string; user?: string; group?: string }

// ---------------------------------------------------------------- VRRP

export type VrrpState = 'MASTER' | 'BACKUP';

/** A virtual_ipaddress / virtual_ipaddress_excluded entry. */
export interface VirtualIp {
  /** Canonical address text without prefix, e.g. "10.0.0.1" or "2001:db8::1". */
  address: string;
  family: Family;
  /** Prefix length (default 32 for IPv4, 128 for IPv6). */
  prefixLen: number;
  /** Device; default: the instance's interface. */
  dev: string;
  label?: string;
  /** `scope`: host | link | site | global | nowhere | a number (default global). */
  scope: string;
  /** `brd` broadcast address text, if given. */
  broadcast?: string;
  /** `no_track`: a problem with this VIP does not fault the instance. */
  noTrack: boolean;
}

/** A virtual_routes entry: installed with the VIPs while MASTER, removed when leaving MASTER. */
export interface VirtualRoute {
  /** Destination network, canonical "10.1.0.0/16" ("0.0.0.0/0" = default route). */
  to: string;
  family: Family;
  type: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';
  /** Preferred source address (ip route's `src`). */
  src?: string;
  /** Gateway (`via` / `gw`). */
  via?: string;
  dev?: string;
  /** Routing table id (default main, 254). */
  table: number;
  metric?: number;
  /** host | link | site | universe | nowhere; default: as ip(8) picks it from the route's shape. */
  scope?: string;
  /** `no_track`: deleted by someone else under a master, it does not make the master leave MASTER (route-tracking.ts). */
  noTrack: boolean;
}

/** A virtual_rules entry (a policy routing rule): installed while MASTER, like virtual_routes. */
export interface VirtualRule {
  family: Family;
  /** Source / destination selectors, canonical prefixes. */
  from?: string;
  to?: string;
  /** `table` action's table id (the default action). */
  table?: number;
  action: 'table' | 'blackhole' | 'unreachable' | 'prohibit';
  /** Rule priority (`priority`/`preference`); absent = the kernel chooses one. */
  priority?: number;
  iif?: string;
  oif?: string;
  tos?: number;
  fwmark?: number;
  fwmask?: number;
  /** `no_track`: as for virtual_routes. */
  noTrack: boolean;
}

export interface UnicastPeer { address: string; family: Family; minTtl?: number; maxTtl?: number }

export interface TrackInterface { name: string; /** 0 = fault on down (default); else added when up / subtracted. */ weight: number; reverse: boolean }

/** A reference from an instance or sync group to a vrrp_script / vrrp_track_file. */
export interface TrackRef {
  name: string;
  /** Overrides the script's / file's own weight when set (keepalived `weight N` after the name). */
  weight?: number;
  reverse: boolean;
}

/** Gratuitous ARP / unsolicited NA timing (garp_* per instance, vrrp_garp_* in global_defs). */
export interface GarpTiming {
  /** garp_master_delay: delay before the second burst after becoming master (default 5 s). */
  masterDelayMs: number;
  /** garp_master_repeat: messages per burst (default 5). */
  masterRepeat: number;
  /** garp_lower_prio_delay (default = masterDelayMs). */
  lowerPrioDelayMs: number;
  /** garp_lower_prio_repeat (default = masterRepeat). */
  lowerPrioRepeat: number;
  /** garp_master_refresh: periodic refresh while master, 0 = off (default 0). */
  masterRefreshMs: number;
  /** garp_master_refresh_repeat (default 1). */
  masterRefreshRepeat: number;
  /** vrrp_garp_interval: gap between ARPs in one burst (default 0). */
  intervalMs: number;
  /** vrrp_gna_interval: gap between unsolicited NAs in one burst (default 0). */
  gnaIntervalMs: number;
}

/** notify / notify_master / notify_backup / notify_fault / notify_stop (and notify_master_rx_lower_pri). */
export interface NotifyScripts {
  /** `notify`: called for every transition with: TYPE NAME STATE PRIORITY. */
  any?: ScriptCommand;
  master?: ScriptCommand;
  backup?: ScriptCommand;
  fault?: ScriptCommand;
  stop?: ScriptCommand;
  /** notify_deleted SCRIPT: run when a reload removes the instance (implies notifyDeleted). */
  deleted?: ScriptCommand;
  /** notify_master_rx_lower_pri: run (no arguments added) when a master hears a lower priority. */
  masterRxLowerPri?: ScriptCommand;
}

export interface VrrpInstance {
  name: string;
  interface: string;
  /** virtual_router_id 1-255. */
  vrid: number;
  /** priority 1-255 (default 100; 255 = address owner). */
  priority: number;
  /** Initial state (default BACKUP). */
  state: VrrpState;
  /** VRRP version: instance `version`, else global vrrpVersion; IPv6 forces 3. */
  version: 2 | 3;
  /** Family of the VIPs (all VIPs of one instance share it). */
  family: Family;
  /** advert_int in ms (default 1000). v2: whole seconds 1-255; v3: centiseconds 10-40950. */
  advertIntervalMs: number;
  /** false when `nopreempt` (default true). */
  preempt: boolean;
  /** preempt_delay in ms (default 0, max 1000 s). */
  preemptDelayMs: number;
  /** unicast_src_ip; undefined = primary address of the interface. */
  unicastSrcIp?: string;
  /** unicast_peer entries; empty = multicast. */
  unicastPeers: UnicastPeer[];
  /** mcast_src_ip. */
  mcastSrcIp?: string;
  /** authentication { auth_type PASS; auth_pass X } (v2 only; only 8 bytes are used). */
  authPass?: string;
  /**
   * auth_type: PASS (also when absent) or AH, IPsec AH with HMAC-MD5-96 keyed by authPass
   * (RFC 2338 §5.3.6.3; VRRPv2 over IPv4 only; such an instance always starts as BACKUP).
   */
  authType?: 'PASS' | 'AH';
  /**
   * check_unicast_src: with unicast peers, drop adverts from any other source (unknown-peer).
   * Absent = true (vipkeeper always checked; keepalived's default is off).
   */
  checkUnicastSrc?: boolean;
  virtualIps: VirtualIp[];
  excludedVips: VirtualIp[];
  /** virtual_routes / virtual_rules; absent when none (the common case). */
  virtualRoutes?: VirtualRoute[];
  virtualRules?: VirtualRule[];
  /**
   * use_vmac: a macvlan (mode private) on `interface` carrying the VRRP virtual MAC; the VIPs of
   * the instance's family on `interface` go on it instead. Absent = no VMAC.
   */
  vmac?: { name: string; /** vmac_xmit_base: adverts go out of (and are read on) the base interface. */ xmitBase: boolean };
  trackInterfaces: TrackInterface[];
  trackScripts: TrackRef[];
  trackFiles: TrackRef[];
  /** track_process references; absent when none. */
  trackProcesses?: TrackRef[];
  garp: GarpTiming;
  notify: NotifyScripts;
  /** v3 checksum without the IPv4 pseudo-header (global v3ChecksumAsV2). */
  v3ChecksumAsV2: boolean;
  /** accept / no_accept (default: accept unless vrrp_strict). */
  accept: boolean;
  /** dont_track_primary (default false). */
  dontTrackPrimary: boolean;
  /** down_timer_adverts (default 3, RFC). */
  downTimerAdverts: number;
  /** notify_deleted: removed by a reload -> notify DELETED (absent: FAULT, as keepalived). */
  notifyDeleted?: true;
  /** notify_priority_changes (or global vrrp_notify_priority_changes): priority lines on the FIFO. */
  notifyPriorityChanges?: true;
  /** unicast_fault_no_peer with no unicast_peer: the instance stays in FAULT. */
  unicastFaultNoPeer?: true;
  /** strict_mode (absent: global vrrpStrict decided it off): vrrp_strict's rules and defaults for this instance. */
  strictMode?: true;
  /**
   * lower_prio_no_advert (default global vrrp_lower_prio_no_advert, always on under strict): a
   * master hearing a lower priority does not answer with an advert (RFC §6.4.3). Absent = off.
   */
  lowerPrioNoAdvert?: true;
  /**
   * higher_prio_send_advert: a master losing to a better advert sends one last advert first.
   * Absent = on (vipkeeper's default; keepalived's is off); false when configured off or under strict.
   */
  higherPrioSendAdvert?: false;
  /** Name of the sync group this instance belongs to (filled from vrrp_sync_group). */
  syncGroup?: string;
}

export interface VrrpScript {
  name: string;
  /** `script`: the command (argv). */
  script: ScriptCommand;
  /** interval (default 1 s). */
  intervalMs: number;
  /** timeout (default = interval). */
  timeoutMs: number;
  /** weight -253..253 (default 0 = fault when failed). */
  weight: number;
  reverse: boolean;
  /** rise / fall (default 1 / 1). */
  rise: number;
  fall: number;
  /** init_fail: start in failed state (default false). */
  initFail: boolean;
}

/** track_file (or vrrp_track_file) NAME { file PATH; weight N [reverse] }; used by instances and FILE_CHECK. */
export interface TrackFile { name: string; path: string; /** default 1 */ weight: number; reverse: boolean }

/**
 * vrrp_track_process NAME { process PATH [PARAM...]; ... }: up while the number of running
 * processes that match is within [quorum, quorumMax] (keepalived's track_process).
 */
export interface TrackProcess {
  name: string;
  /** The process name (comm, 15 bytes) or, with fullCommand, argv[0]. */
  process: string;
  /** Parameters to compare (with paramMatch); empty = none written. */
  params: string[];
  /** none: parameters are not compared; exact (the default once parameters or param_match are written), partial, initial. */
  paramMatch: 'none' | 'exact' | 'partial' | 'initial';
  /** Match the command line instead of the name (implied by parameters or param_match). */
  fullCommand: boolean;
  /** weight -254..254 (default 0 = fault when the quorum is lost, as keepalived's code does). */
  weight: number;
  reverse: boolean;
  /** Minimum matching processes (default 1; 0 when quorumMax is 0). */
  quorum: number;
  /** Maximum matching processes; absent = no maximum. */
  quorumMax?: number;
  /** fork_delay / terminate_delay (`delay` sets both; default 0). */
  forkDelayMs: number;
  terminateDelayMs: number;
}

export interface SyncGroup {
  name: string;
  /** `group { I1 I2 }`: instance names. */
  instances: string[];
  notify: NotifyScripts;
  trackInterfaces: TrackInterface[];
  trackScripts: TrackRef[];
  trackFiles: TrackRef[];
  /** track_process references; absent when none. */
  trackProcesses?: TrackRef[];
}

// ---------------------------------------------------------------- IPVS

export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'] as const;
export type Scheduler = typeof SCHEDULERS[number];
export const SCHED_FLAGS = ['flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'] as const;
export type SchedFlag = typeof SCHED_FLAGS[number];
export const LB_KINDS = ['NAT', 'DR', 'TUN'] as const;
export type LbKind = typeof LB_KINDS[number];
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** An "addr port" endpoint. Port 0 means "the port the packet came to" (fwmark services, DR without port). */
export interface Endpoint { address: string; family: Family; port: number }

export interface RealServer extends Endpoint {
  /** weight (default 1). */
  weight: number;
  /** Forwarding: lvs_method / lb_kind of the RS, else of the virtual server. */
  lbKind: LbKind;
  /** inhibit_on_failure: set weight 0 instead of removing (default: the virtual server's). */
  inhibitOnFailure: boolean;
  notifyUp?: ScriptCommand;
  notifyDown?: ScriptCommand;
  /** uthreshold / lthreshold: connection limits (0 = none). */
  upperThreshold: number;
  lowerThreshold: number;
  checkers: Checker[];
}

export interface SorryServer extends Endpoint { /** sorry_server_lvs_method, else the virtual server's. */ lbKind: LbKind; /** sorry_server_inhibit */ inhibit: boolean }

export interface VirtualServer {
  /** Stable display name: "10.0.0.1:80/TCP", "[2001:db8::1]:80/TCP", "fwmark 5/4" or "group NAME/TCP". */
  name: string;
  /** What identifies the service in IPVS. */
  kind: 'addr' | 'fwmark' | 'group';
  /** For kind 'addr' (port 0 when the keepalived line had none). */
  address?: string;
  port?: number;
  /** For kind 'fwmark'. */
  fwmark?: number;
  /** For kind 'group': virtual_server_group name. */
  group?: string;
  family: Family;
  protocol: Protocol;
  /** lb_algo / lvs_sched (default wlc). */
  lbAlgo: Scheduler;
  schedFlags: SchedFlag[];
  /** ops: one-packet scheduling (UDP). */
  ops: boolean;
  /** lb_kind / lvs_method (default NAT). */
  lbKind: LbKind;
  /** persistence_timeout in seconds; undefined = no persistence (keyword without value = 360). */
  persistenceTimeoutS?: number;
  /** persistence_granularity netmask text (IPv4 netmask or IPv6 prefix length), if set. */
  persistenceGranularity?: string;
  /** quorum (default 1), hysteresis (default 0). */
  quorum: number;
  hysteresis: number;
  quorumUp?: ScriptCommand;
  quorumDown?: ScriptCommand;
  sorryServer?: SorryServer;
  /** alpha: start with all real servers down (default false). */
  alpha: boolean;
  /** omega: run down notifiers at shutdown (default false). */
  omega: boolean;
  /** ha_suspend: suspend checkers while the VIP is absent (default false). */
  haSuspend: boolean;
  inhibitOnFailure: boolean;
  realServers: RealServer[];
}

export interface VirtualServerGroupEntry {
  /** Address ranges are kept as written ("10.0.0.1-10", "10.0.0.8/29") plus family. */
  address?: string;
  family: Family;
  port?: number;
  fwmark?: number;
}
export interface VirtualServerGroup { name: string; entries: VirtualServerGroupEntry[] }

// ---------------------------------------------------------------- checkers

export type CheckerType = 'TCP_CHECK' | 'HTTP_GET' | 'SSL_GET' | 'PING_CHECK' | 'MISC_CHECK' | 'UDP_CHECK' | 'DNS_CHECK'
  | 'SMTP_CHECK' | 'FILE_CHECK' | 'GRPC_CHECK';

/** Timing and retry settings every checker has (cascaded virtual server -> real server -> checker). */
export interface CheckerCommon {
  /** connect_timeout (default 5 s). */
  connectTimeoutMs: number;
  /** retry / nb_get_retry (default 1; DNS_CHECK 3; MISC_CHECK 0). */
  retry: number;
  /** delay_before_retry (default 1 s; HTTP_GET/SSL_GET 3 s; DNS_CHECK = delayLoopMs). */
  delayBeforeRetryMs: number;
  /** delay_loop (default 60 s). */
  delayLoopMs: number;
  /** warmup: random initial delay up to this (default = delayLoopMs; 0 = none). */
  warmupMs: number;
  /** alpha: start in failed state (default: the virtual server's alpha). */
  alpha: boolean;
  /** connect_ip / connect_port: default the real server's. */
  connectIp?: string;
  connectPort?: number;
  /** bindto / bind_port / bind_if: source of check traffic. */
  bindTo?: string;
  bindPort?: number;
  bindIf?: string;
  /** fwmark for checker packets. */
  fwmark?: number;
}

export interface HttpUrl {
  path: string;
  /** status_code ranges, inclusive (default [[200, 299]]). */
  statusCodes: Array<[number, number]>;
  /** digest: MD5 hex of the body. */
  digest?: string;
  /** virtualhost: default the checker's / real server's / virtual server's. */
  virtualhost?: string;
  /** regex: the body must match (JavaScript RegExp syntax; keepalived uses PCRE2). */
  regex?: string;
  /** regex_no_match: the check passes when the body does NOT match `regex`. */
  regexNoMatch?: boolean;
}

export interface TcpCheck extends CheckerCommon { type: 'TCP_CHECK' }
export interface PingCheck extends CheckerCommon { type: 'PING_CHECK' }
export interface HttpCheck extends CheckerCommon {
  type: 'HTTP_GET' | 'SSL_GET';
  urls: HttpUrl[];
  virtualhost?: string;
  /** http_protocol: 1.0 | 1.0C | 1.1 (default 1.0). */
  httpProtocol: '1.0' | '1.0C' | '1.1';
  /** enable_sni (SSL_GET): send the virtualhost (or sniName) as TLS SNI. */
  enableSni: boolean;
  /** sni_name (vipkeeper only; needs enable_sni and SSL_GET): SNI server name to send instead of the virtualhost. */
  sniName?: string;
}
export interface MiscCheck extends CheckerCommon {
  type: 'MISC_CHECK';
  /** misc_path (+ `user`). */
  script: ScriptCommand;
  /** misc_timeout (default = delayLoopMs). */
  miscTimeoutMs: number;
  /** misc_dynamic: exit status 2-255 sets the weight. */
  dynamic: boolean;
}
export interface UdpCheck extends CheckerCommon {
  type: 'UDP_CHECK';
  /** payload as hex (no spaces); undefined = random. */
  payloadHex?: string;
  /** require_reply; replyHex when a pattern was given (x = any nibble). */
  requireReply: boolean;
  replyHex?: string;
  minReplyLength: number;
  maxReplyLength: number;
}
/** DNS_CHECK `type` values keepalived 2.2.7 accepts (check_dns.c). */
export const DNS_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const;
export interface DnsCheck extends CheckerCommon {
  type: 'DNS_CHECK';
  /** type (default SOA). */
  queryType: typeof DNS_TYPES[number];
  /** name (default "."). */
  name: string;
}

/** SMTP_CHECK: the 220 banner, then HELO/EHLO answered with 250, then QUIT. */
export interface SmtpCheck extends CheckerCommon {
  type: 'SMTP_CHECK';
  /** helo_name (default: the host name, resolved at runtime, so undefined here; keepalived sends smtpchecker.keepalived.org). */
  heloName?: string;
}
/**
 * FILE_CHECK: the number in a track_file's file. keepalived: with weight 0 a non-zero value puts
 * the real server down; otherwise value × weight (negated when reverse) changes its weight.
 * It connects nowhere and has no timer of its own: the CheckerCommon fields are inherited only.
 */
export interface FileCheck extends CheckerCommon {
  type: 'FILE_CHECK';
  /** Name of a track_file / vrrp_track_file definition. */
  trackFile: string;
  /** The file's path (resolved from the definition). */
  path: string;
  /** weight -65535..65535; FILE_CHECK's own, else (when unset or 0, as keepalived) the track_file's. */
  weight: number;
  /** reverse: FILE_CHECK's own with its weight, else the track_file's. */
  reverse: boolean;
}
/** GRPC_CHECK (vipkeeper only): grpc.health.v1.Health/Check must answer SERVING. */
export interface GrpcCheck extends CheckerCommon {
  type: 'GRPC_CHECK';
  /** service name sent in the request (default "" = the whole server). */
  service: string;
  /** TLS on the connection (default false). */
  tls: boolean;
  /** authority / SNI (default the target address). */
  authority?: string;
}

export type Checker = TcpCheck | PingCheck | HttpCheck | MiscCheck | UdpCheck | DnsCheck | SmtpCheck | FileCheck | GrpcCheck;

// ---------------------------------------------------------------- announcements (vipkeeper only)

/** What must hold for a route to be announced: exactly one per route. */
export type AnnounceCondition =
  /** The virtual server's pool is at or above its quorum (VirtualServer.name, "10.20.0.1:80/TCP"). */
  | { kind: 'virtualServer'; virtualServer: string }
  /** The VRRP instance is MASTER. */
  | { kind: 'vrrpInstance'; vrrpInstance: string }
  | { kind: 'always' };

export interface AnnouncedRoute {
  /** Canonical network text: "10.20.0.1/32", "2001:db8::/64". */
  prefix: string;
  family: Family;
  condition: AnnounceCondition;
  /** Announce only after the condition has held this long (default 0); withdrawal is always at once. */
  holdDownMs: number;
  /**
   * The route's priority (RTA_PRIORITY), which BIRD reads as krt_metric and FRR as the route's
   * metric; both can carry it to BGP as MED. Default 0 (the kernel stores 1024 for IPv6).
   */
  metric: number;
}

export interface Announcements {
  /** Kernel routing table the routes go in (default 100). */
  table: number;
  routes: AnnouncedRoute[];
}

// ---------------------------------------------------------------- the whole

export interface Config {
  global: GlobalDefs;
  vrrpScripts: VrrpScript[];
  trackFiles: TrackFile[];
  /** vrrp_track_process definitions; absent when none. */
  trackProcesses?: TrackProcess[];
  vrrpInstances: VrrpInstance[];
  syncGroups: SyncGroup[];
  virtualServerGroups: VirtualServerGroup[];
  virtualServers: VirtualServer[];
  /** Health-gated routes for BIRD/FRR (docs/scale-out.md); absent = off. */
  announcements?: Announcements;
}

// ---------------------------------------------------------------- diagnostics

export type Severity = 'error' | 'warning';
export interface Diagnostic { severity: Severity; file: string; line: number; col: number; message: string }

/** `file:line:col: message` (warnings say so; errors are plain, as compilers print them). */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}
