// The last destination's sockaddr, rebuilt only when the address or scope changes: a VRRP master
// sends to the same group (or the same few unicast peers) at every advert.
import { bytesEqual } from '../lib/bytes.js';
import { sockaddrIn, sockaddrIn6 } from './sockaddr.js';

/** How many destinations are kept (unicast_peer lists are short; beyond this, the oldest goes). */
const SIZE = 8;

interface Entry { addr: Uint8Array; scope: number; sa: Buffer }

export class SockaddrCache {
  private readonly entries: Entry[] = [];
  private next = 0;

  /** sockaddr_in for 4 bytes, sockaddr_in6 (port 0, `scope` as scope id) for 16. */
  get(addr: Uint8Array, scope = 0): Buffer {
    for (const e of this.entries) if (e.scope === scope && bytesEqual(e.addr, addr)) return e.sa;
    // A copy: the caller may reuse its array for another address.
    const entry = { addr: Uint8Array.from(addr), scope, sa: addr.length === 4 ? sockaddrIn(addr) : sockaddrIn6(addr, 0, scope) };
    if (this.entries.length < SIZE) this.entries.push(entry);
    else { this.entries[this.next] = entry; this.next = (this.next + 1) % SIZE; }
    return entry.sa;
  }
}
