// DNS_CHECK: one query over UDP (random 16-bit ID, RD set as keepalived's check_dns.c sets it).
// Up on a reply with our ID, QR set, rcode NOERROR and our question echoed (RFC 1035 §4.1.2:
// same name ignoring ASCII case, type and class). Replies with another ID, or queries (QR
// clear), are not ours and are ignored, as keepalived does; anything else malformed is down.
import { randomInt } from 'node:crypto';
import type { DnsCheck } from '../config/model.js';
import { DNS_CLASS_IN, DNS_TYPE, decodeHeader, decodeMessage, encodeQuery, rcodeName, sameName, type DnsQuestion } from '../codec/dns.js';
import { formatDuration, type CheckOutcome, type Probe, type ProbeContext } from './checker.js';
import { udpExchange, type Exchange, type Verdict } from './udp-exchange.js';

const typeName = (t: number): string => Object.entries(DNS_TYPE).find(([, n]) => n === t)?.[0] ?? `TYPE${t}`;
const show = (q: DnsQuestion): string => `${q.name} ${q.class === DNS_CLASS_IN ? '' : `CLASS${q.class} `}${typeName(q.type)}`;

/** The verdict on one datagram for the query `sent`; undefined = not an answer to it, keep waiting. */
export function judgeReply(msg: Uint8Array, id: number, question: DnsQuestion): Verdict | undefined {
  const h = decodeHeader(msg);
  if (!h.ok) return { ok: false, code: 'bad-reply', reason: `reply too short (${msg.length} bytes)` };
  if (h.value.id !== id || !h.value.qr) return undefined;
  if (h.value.rcode !== 0) return { ok: false, code: 'rcode', reason: `DNS rcode ${rcodeName(h.value.rcode)}` };
  const m = decodeMessage(msg);
  if (!m.ok) return { ok: false, code: 'bad-reply', reason: `malformed reply (${m.reason})` };
  const qs = m.value.questions;
  const q = qs[0];
  if (qs.length !== 1 || !q || !sameName(q.name, question.name) || q.type !== question.type || q.class !== question.class) {
    const got = qs.length === 1 && q ? show(q) : `${qs.length} questions`;
    return { ok: false, code: 'mismatch', reason: `question not echoed (asked ${show(question)}, got ${got})` };
  }
  const n = m.value.answers.length;
  return { ok: true, code: 'ok', reason: `NOERROR for ${show(question)}, ${n} answer${n === 1 ? '' : 's'}` };
}

export function dnsProbe(check: DnsCheck, ctx: ProbeContext): Probe {
  const inflight = new Set<Exchange>();
  let closed = false;
  return {
    async run(): Promise<CheckOutcome> {
      if (closed) return { ok: false, code: 'error', reason: 'probe closed', latencyMs: 0 };
      const id = randomInt(0, 0x10000);
      let query: Buffer;
      let question: DnsQuestion;
      try {
        query = encodeQuery({ id, name: check.name, type: DNS_TYPE[check.queryType] });
        // The question as the parser will present the echo: compare like with like.
        const parsed = decodeMessage(query);
        if (!parsed.ok || !parsed.value.questions[0]) throw new Error(`query does not parse back (${parsed.ok ? 'no question' : parsed.reason})`);
        question = parsed.value.questions[0];
      } catch (e) {
        return { ok: false, code: 'error', reason: `bad DNS_CHECK query: ${e instanceof Error ? e.message : String(e)}`, latencyMs: 0 };
      }
      const x = udpExchange({
        target: ctx.target, bindTo: check.bindTo, bindPort: check.bindPort, payload: query, timeoutMs: check.connectTimeoutMs,
        onReply: (msg) => judgeReply(msg, id, question),
        onTimeout: () => ({ ok: false, code: 'timeout', reason: `no DNS reply within ${formatDuration(check.connectTimeoutMs)}` }),
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
