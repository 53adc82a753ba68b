// UDP_CHECK, with keepalived's semantics (check_udp.c, layer4.c):
// - sends `payload`, or without one a fixed 32-octet filler (keepalived sends its own fixed text,
//   not random bytes, so that nothing from memory leaks into the datagram);
// - without require_reply the server is up unless an ICMP error comes back before the timeout
//   (any reply at all also counts as up);
// - with require_reply a reply must come; when a reply pattern is given the reply must be
//   min_reply_length..max_reply_length octets long and its first min(reply, pattern) octets must
//   match the pattern, `x` nibbles matching anything. Without a pattern any reply will do, as in
//   keepalived, which applies the lengths only together with a pattern.
import type { UdpCheck } from '../config/model.js';
import { formatDuration, type CheckOutcome, type Probe, type ProbeContext } from './checker.js';
import { udpExchange, type Exchange, type Verdict } from './udp-exchange.js';

export interface HexPattern {
  bytes: Uint8Array;
  /** 0xff where a bit must match, 0x0 / 0xf0 / 0x0f under wildcard nibbles. */
  mask: Uint8Array;
}

/**
 * Reads a hex string as keepalived does: spaces separate groups, two nibbles make an octet, a
 * lone nibble before a space or the end is an octet of its own (`abc` = ab 0c), `x`/`X` is a
 * wildcard nibble when allowed. Throws RangeError naming the first bad character.
 */
export function parseHexPattern(text: string, allowWildcards = true): HexPattern {
  const bytes: number[] = [];
  const mask: number[] = [];
  const nibble = (c: string, at: number): [number, number] => {
    if (/[0-9a-fA-F]/.test(c)) return [parseInt(c, 16), 0xf];
    if (allowWildcards && (c === 'x' || c === 'X')) return [0, 0];
    throw new RangeError(`not a hex digit${allowWildcards ? ' or x' : ''}: ${JSON.stringify(c)} at ${at + 1} in ${JSON.stringify(text)}`);
  };
  let i = 0;
  while (i < text.length) {
    if (text[i] === ' ' || text[i] === '\t') { i++; continue; }
    let [v, m] = nibble(text[i]!, i);
    i++;
    if (i < text.length && text[i] !== ' ' && text[i] !== '\t') {
      const [v2, m2] = nibble(text[i]!, i);
      v = (v << 4) | v2;
      m = (m << 4) | m2;
      i++;
    }
    bytes.push(v);
    mask.push(m);
  }
  if (bytes.length === 0) throw new RangeError('empty hex string');
  return { bytes: Uint8Array.from(bytes), mask: Uint8Array.from(mask) };
}

/** Why `reply` fails the check, or undefined when it passes (see the file comment). */
export function replyMismatch(reply: Uint8Array, pattern: HexPattern | undefined, minLen: number, maxLen: number): string | undefined {
  if (!pattern) return undefined;
  if (reply.length < minLen) return `reply of ${reply.length} bytes is shorter than min_reply_length ${minLen}`;
  if (reply.length > maxLen) return `reply of ${reply.length} bytes is longer than max_reply_length ${maxLen}`;
  const n = Math.min(reply.length, pattern.bytes.length);
  for (let i = 0; i < n; i++) {
    if (((reply[i]! ^ pattern.bytes[i]!) & pattern.mask[i]!) !== 0) return `reply does not match require_reply at byte ${i}`;
  }
  return undefined;
}

const FILLER = Buffer.from('vipkeeper check - vipkeeper chec'); // 32 octets, as keepalived's UDP_BUFSIZE

export function udpProbe(check: UdpCheck, ctx: ProbeContext): Probe {
  const inflight = new Set<Exchange>();
  let closed = false;
  // Config errors surface per run, in words, instead of throwing out of the factory.
  let setup: { payload: Uint8Array; pattern?: HexPattern } | string;
  try {
    setup = {
      payload: check.payloadHex !== undefined ? parseHexPattern(check.payloadHex, false).bytes : FILLER,
      ...(check.requireReply && check.replyHex !== undefined ? { pattern: parseHexPattern(check.replyHex) } : {}),
    };
  } catch (e) {
    setup = `bad UDP_CHECK configuration: ${e instanceof Error ? e.message : String(e)}`;
  }
  return {
    async run(): Promise<CheckOutcome> {
      if (closed) return { ok: false, code: 'error', reason: 'probe closed', latencyMs: 0 };
      if (typeof setup === 'string') return { ok: false, code: 'error', reason: setup, latencyMs: 0 };
      const { payload, pattern } = setup;
      const within = formatDuration(check.connectTimeoutMs);
      const x = udpExchange({
        target: ctx.target, bindTo: check.bindTo, bindPort: check.bindPort, payload, timeoutMs: check.connectTimeoutMs,
        onReply: (msg): Verdict => {
          const why = check.requireReply ? replyMismatch(msg, pattern, check.minReplyLength, check.maxReplyLength) : undefined;
          return why ? { ok: false, code: 'mismatch', reason: why } : { ok: true, code: 'ok', reason: `reply of ${msg.length} bytes` };
        },
        onTimeout: (): Verdict => (check.requireReply
          ? { ok: false, code: 'timeout', reason: `no reply within ${within}` }
          : { ok: true, code: 'ok', reason: `no ICMP error within ${within}` }),
      });
      inflight.add(x);
      try { return await x.done; } finally { inflight.delete(x); }
    },
    close(): void {
      closed = true;
      for (const x of inflight) x.cancel('probe closed');
    },
  };
}
