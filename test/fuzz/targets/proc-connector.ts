// Fuzz target: proc connector datagrams (src/codec/proc-connector.ts). decodeMessages may throw
// only its named error; decodeProcMessage never throws: a refusal is one of its named reasons,
// and an accepted event has integer pids and a comm of at most 16 bytes.
import { decodeMessages } from '../../../src/codec/netlink/message.js';
import { decodeProcMessage } from '../../../src/codec/proc-connector.js';
import { check, namedOrValue } from '../support.js';

const REASONS = new Set(['short', 'not-proc', 'bad-length']);

export function fuzz(data: Buffer): void {
  const msgs = namedOrValue(() => decodeMessages(data)) ?? [];
  // The bare payload too: the mutators then reach the cn_msg fields directly.
  for (const payload of [...msgs.map((m) => m.payload), data]) {
    const r = decodeProcMessage(payload);
    if (typeof r === 'string') { check(REASONS.has(r), `unnamed refusal ${r}`); continue; }
    check(Number.isInteger(r.seq) && Number.isInteger(r.cpu), 'seq/cpu not integers');
    const e = r.event;
    if (e.kind === 'comm') check(Buffer.byteLength(e.comm, 'latin1') <= 16, 'comm longer than 16 bytes');
    for (const v of Object.values(e)) if (typeof v === 'number') check(Number.isInteger(v), `${e.kind}: a non-integer field`);
  }
}
