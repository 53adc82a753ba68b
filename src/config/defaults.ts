// Every default of the configuration, in one table. The builders (build-vrrp.ts, build-lvs.ts)
// take a value from here whenever the input leaves it out; no default is written anywhere else.
// Values follow keepalived 2.2 (keepalived.conf(5)); docs/config.md lists them for operators.
import type { CheckerType } from './model.js';

export const DEFAULTS = {
  global: {
    vrrpVersion: 2 as 2 | 3,
    v3ChecksumAsV2: false,
    scriptSecurity: false,
    mcastGroup4: '224.0.0.18',
    mcastGroup6: 'ff02::12',
    defaultInterface: 'eth0',
    vrrpStrict: false,
    skipCheckAdvAddr: false,
    lvsFlush: false,
    lvsFlushOnStop: false,
    // lvs_sync_daemon id: the VRRP instance's virtual_router_id (keepalived's default; set in build.ts).
  },
  garp: {
    masterDelayMs: 5000,
    masterRepeat: 5,
    // lowerPrioDelayMs / lowerPrioRepeat default to the resolved master values, except under
    // vrrp_strict, where keepalived sends no lower-priority GARP repeats (vrrp.c): both 0.
    lowerPrioUnderStrict: 0,
    masterRefreshMs: 0,
    masterRefreshRepeat: 1,
    intervalMs: 0,
    gnaIntervalMs: 0,
  },
  instance: {
    priority: 100,
    state: 'BACKUP' as const,
    advertIntervalMs: 1000,
    preempt: true,
    preemptDelayMs: 0,
    /** IPv6 instances always run VRRPv3 (RFC 5798). */
    versionForIPv6: 3 as const,
    /** Family when an instance has no VIP, peer or source address to tell. */
    family: 4 as const,
    // accept: !vrrp_strict (keepalived; RFC 5798 §6.1 makes Accept_Mode False by default).
    dontTrackPrimary: false,
    downTimerAdverts: 3,
  },
  vip: { scope: 'global', noTrack: false },
  trackInterfaceWeight: 0,
  trackReverse: false,
  script: { intervalMs: 1000, weight: 0, reverse: false, rise: 1, fall: 1, initFail: false /* timeoutMs: = intervalMs */ },
  trackFile: { weight: 1, reverse: false },
  // keepalived's man page says weight 1, its code (alloc_vrrp_process) leaves it 0: a fault. The code wins.
  trackProcess: { weight: 0, reverse: false, quorum: 1, forkDelayMs: 0, terminateDelayMs: 0 },
  virtualServer: {
    /** keepalived's choice for an address service without `protocol` (it warns; so do we). */
    protocol: 'UDP' as const,
    lbAlgo: 'wlc' as const,
    lbKind: 'NAT' as const,
    ops: false,
    /** `persistence_timeout` written without a value. */
    persistenceTimeoutS: 360,
    quorum: 1,
    hysteresis: 0,
    alpha: false,
    omega: false,
    haSuspend: false,
    inhibitOnFailure: false,
    /** Family of fwmark/group services that cannot be inferred from their real servers. */
    family: 4 as const,
  },
  realServer: { weight: 1, upperThreshold: 0, lowerThreshold: 0 /* port: the virtual server's */ },
  sorryServer: { inhibit: false },
  checker: {
    connectTimeoutMs: 5000,
    delayLoopMs: 60_000,
    /** warmup defaults to delayLoopMs. */
    retry: { default: 1, DNS_CHECK: 3, MISC_CHECK: 0 } as Partial<Record<CheckerType, number>> & { default: number },
    /** DNS_CHECK's delay_before_retry defaults to its delay_loop. */
    delayBeforeRetryMs: { default: 1000, HTTP_GET: 3000, SSL_GET: 3000 } as Partial<Record<CheckerType, number>> & { default: number },
    statusCodes: [[200, 299]] as Array<[number, number]>,
    httpProtocol: '1.0' as const,
    enableSni: false,
    /** misc_timeout defaults to delayLoopMs. */
    miscDynamic: false,
    udpMinReplyLength: 0,
    udpMaxReplyLength: 255,
    dnsQueryType: 'SOA' as const,
    dnsName: '.',
    // SMTP_CHECK helo_name: none here; the runtime uses the host name (keepalived: smtpchecker.keepalived.org).
    // FILE_CHECK weight 0 or unset: the track_file's weight and reverse, as keepalived does.
    grpcService: '',
    grpcTls: false,
    regexNoMatch: false,
  },
  /** announcements: table 100, no hold-down, metric 0 (the kernel stores 1024 for IPv6). */
  announcements: { table: 100, holdDownS: 0, metric: 0 },
} as const;

export function defaultRetry(type: CheckerType): number { return DEFAULTS.checker.retry[type] ?? DEFAULTS.checker.retry.default; }

export function defaultDelayBeforeRetryMs(type: CheckerType, delayLoopMs: number): number {
  if (type === 'DNS_CHECK') return delayLoopMs;
  return DEFAULTS.checker.delayBeforeRetryMs[type] ?? DEFAULTS.checker.delayBeforeRetryMs.default;
}
