// Range and cross-field rules for one checker (both readers), reported at the offending value.
import type { Checker, HttpCheck } from './model.js';
import type { Reporter } from './normalize.js';
import { msRange, range } from './semantic-vrrp.js';
import { inMsRange, inRange } from './in-range.js';
import { ipVersion } from '../lib/ip.js';

/** A DNS host name (what SNI, HELO and :authority carry); SNI must not be an IP literal (RFC 6066 §3). */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** IPVS weights are 16 bits; FILE_CHECK's multiplier takes the same magnitude either way (keepalived). */
const FILE_WEIGHT_MAX = 65_535;

function checkHttp(r: Reporter, p: string, c: HttpCheck): void {
  c.urls.forEach((u, i) => {
    if (u.digest !== undefined && !/^[0-9a-f]{32}$/.test(u.digest)) r.error(`${p}/urls/${i}/digest`, `${c.type} digest must be 32 hex digits (MD5), got '${u.digest}'`);
    if (u.regex !== undefined) {
      // keepalived compiles PCRE2; the probe runs JavaScript's engine, so that is the syntax that must hold.
      try { new RegExp(u.regex); } catch (e) {
        r.error(`${p}/urls/${i}/regex`, `${c.type} regex '${u.regex}' is not a valid JavaScript regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
      }
    }
  });
  if (c.sniName === undefined) return;
  if (c.type !== 'SSL_GET') r.error(`${p}/sniName`, 'sni_name is for SSL_GET (HTTP_GET has no TLS)');
  else if (!c.enableSni) r.error(`${p}/sniName`, 'sni_name is sent only with enable_sni; add enable_sni');
  if (!HOSTNAME.test(c.sniName) || ipVersion(c.sniName.replace(/\.$/, '')) !== 0) r.error(`${p}/sniName`, `${c.type} sni_name must be a host name (not an address), got '${c.sniName}'`);
}

export function checkChecker(r: Reporter, p: string, c: Checker): void {
  if (c.type === 'FILE_CHECK') {
    range(r, `${p}/weight`, 'FILE_CHECK weight', c.weight, -FILE_WEIGHT_MAX, FILE_WEIGHT_MAX);
    return; // no connection, no timers of its own
  }
  // Each test before its path and message are built: this runs for every checker of every server.
  if (!inMsRange(c.connectTimeoutMs, 1, 3_600_000)) msRange(r, `${p}/connectTimeoutMs`, `${c.type} connect_timeout`, c.connectTimeoutMs, 1, 3_600_000);
  if (!inMsRange(c.delayLoopMs, 1, 86_400_000)) msRange(r, `${p}/delayLoopMs`, `${c.type} delay_loop`, c.delayLoopMs, 1, 86_400_000);
  if (!inMsRange(c.delayBeforeRetryMs, 0, 86_400_000)) msRange(r, `${p}/delayBeforeRetryMs`, `${c.type} delay_before_retry`, c.delayBeforeRetryMs, 0, 86_400_000);
  if (!inMsRange(c.warmupMs, 0, 86_400_000)) msRange(r, `${p}/warmupMs`, `${c.type} warmup`, c.warmupMs, 0, 86_400_000);
  if (!inRange(c.retry, 0, 1_000_000)) range(r, `${p}/retry`, `${c.type} retry`, c.retry, 0, 1_000_000);
  if (!inRange(c.connectPort, 1, 65535)) range(r, `${p}/connectPort`, `${c.type} connect_port`, c.connectPort, 1, 65535);
  if (!inRange(c.bindPort, 0, 65535)) range(r, `${p}/bindPort`, `${c.type} bind_port`, c.bindPort, 0, 65535);
  if (!inRange(c.fwmark, 0, 0xffffffff)) range(r, `${p}/fwmark`, `${c.type} fwmark`, c.fwmark, 0, 0xffffffff);
  if (c.type === 'HTTP_GET' || c.type === 'SSL_GET') checkHttp(r, p, c);
  if (c.type === 'MISC_CHECK') msRange(r, `${p}/miscTimeoutMs`, 'misc_timeout', c.miscTimeoutMs, 1, 86_400_000);
  if (c.type === 'UDP_CHECK') {
    range(r, `${p}/minReplyLength`, 'min_reply_length', c.minReplyLength, 0, 65535);
    range(r, `${p}/maxReplyLength`, 'max_reply_length', c.maxReplyLength, 0, 65535);
    if (c.minReplyLength > c.maxReplyLength) r.error(`${p}/minReplyLength`, 'min_reply_length must not exceed max_reply_length');
  }
  // Sent as `HELO name\r\n`: one printable word, or the server sees a different command.
  if (c.type === 'SMTP_CHECK' && c.heloName !== undefined && !/^[\x21-\x7e]{1,255}$/.test(c.heloName)) {
    r.error(`${p}/heloName`, `SMTP_CHECK helo_name must be one word of printable ASCII, got '${c.heloName}'`);
  }
  if (c.type === 'GRPC_CHECK') {
    if (c.authority !== undefined && !/^[\x21-\x7e]+$/.test(c.authority)) r.error(`${p}/authority`, `GRPC_CHECK authority must be a host[:port] without spaces, got '${c.authority}'`);
    if (/[\x00-\x1f\x7f]/.test(c.service)) r.error(`${p}/service`, 'GRPC_CHECK service must not contain control characters');
  }
}
