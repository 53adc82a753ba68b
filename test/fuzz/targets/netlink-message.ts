// Fuzz target: netlink datagram framing and NLMSG_ERROR acks (src/codec/netlink/message.ts).
// decodeMessages may throw only its named "netlink: bad message length" error; messages it
// returns lie inside the datagram; decodeAck on each may throw only a short-buffer error.
import { decodeAck, decodeMessages, NLMSG_HDRLEN } from '../../../src/codec/netlink/message.js';
import { check, namedOrValue } from '../support.js';

export function fuzz(data: Buffer): void {
  const msgs = namedOrValue(() => decodeMessages(data));
  if (!msgs) return;
  let total = 0;
  for (const m of msgs) {
    total += NLMSG_HDRLEN + m.payload.length;
    check(m.payload.length <= data.length, 'payload longer than the datagram');
    const ack = namedOrValue(() => decodeAck(m));
    if (ack) {
      check(Number.isInteger(ack.errno), 'errno is not an integer');
      if (ack.message !== undefined) check(typeof ack.message === 'string', 'extended ack text is not a string');
    }
  }
  check(total <= data.length, 'messages add up to more than the datagram');
}
