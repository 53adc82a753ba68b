// IFA_CACHEINFO for an address request (linux/if_addr.h struct ifa_cacheinfo: preferred and valid
// lifetimes in seconds, then two timestamps the kernel fills in), as `ip addr add ... preferred_lft
// 0` sends it. A preferred lifetime of 0 makes the address deprecated: usable by a socket that
// names it, never chosen as a source by the kernel (RFC 4862 §5.5.4). Pure.
import { ByteWriter } from '../../lib/bytes.js';
import { writeAttr } from './attrs.js';
import { HOST_LE } from './message.js';

export const IFA_CACHEINFO = 6;
/** INFINITY_LIFE_TIME: a lifetime that never runs out. */
export const FOREVER = 0xffffffff;

export function encodeAddrLifetime(preferred: number, valid: number): Buffer {
  const info = new ByteWriter(16).u32(preferred, HOST_LE).u32(valid, HOST_LE).u32(0, HOST_LE).u32(0, HOST_LE).finish();
  const w = new ByteWriter(20);
  writeAttr(w, IFA_CACHEINFO, info);
  return w.finish();
}
