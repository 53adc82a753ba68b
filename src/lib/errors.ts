// Typed errors with a stable `code` that operators and tests can match on, plus errno helpers:
// the kernel answers in negative errno numbers, operators read names and words.
import { getSystemErrorName } from 'node:util';
import { nodeOs } from './node-os.js';

export class VipError extends Error {
  constructor(readonly code: string, message: string, readonly context: Record<string, unknown> = {}) {
    super(message);
    this.name = 'VipError';
  }
}

/** errno -> name from node:os's table, for numbers libuv has no name for (node:os is loaded then: node-os.ts). */
let errnoNames: Map<number, string> | undefined;
function namesByNumber(): Map<number, string> {
  if (errnoNames) return errnoNames;
  const byName = nodeOs().constants.errno as Record<string, number>;
  errnoNames = new Map<number, string>();
  for (const [name, num] of Object.entries(byName)) if (!errnoNames.has(num)) errnoNames.set(num, name);
  // Node lists aliases in an order that prefers the rarer name for some numbers; the kernel's own is kept.
  for (const name of ['EOPNOTSUPP', 'EAGAIN', 'EDEADLK']) {
    const num = byName[name];
    if (num !== undefined) errnoNames.set(num, name);
  }
  return errnoNames;
}

/** libuv's names that differ from the kernel's for the same number. */
const KERNEL_NAMES: Record<string, string> = { ENOTSUP: 'EOPNOTSUPP' };

/**
 * 19 -> "ENODEV" (accepts negative kernel values). libuv names the common ones (node:util, loaded
 * anyway), so that the errors of an ordinary start (EEXIST, EADDRNOTAVAIL) do not load node:os.
 */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  // libuv's own codes (EOF, the resolver's) sit at 3000 and above, past the kernel's.
  if (n > 0 && n < 3000) {
    const name = getSystemErrorName(-n);
    if (!name.startsWith('Unknown')) return KERNEL_NAMES[name] ?? name;
  }
  return namesByNumber().get(n) ?? `E${n}`;
}

const words: Record<string, string> = {
  EPERM: 'operation not permitted (needs root or CAP_NET_ADMIN/CAP_NET_RAW)',
  EACCES: 'permission denied',
  ENOENT: 'no such entry',
  ESRCH: 'no such entry',
  ENODEV: 'no such network device',
  EEXIST: 'already exists',
  EADDRNOTAVAIL: 'address not available (not present on the interface)',
  EINVAL: 'invalid argument',
  EBUSY: 'device or resource busy',
  ENOBUFS: 'no buffer space available',
  EOPNOTSUPP: 'operation not supported',
  EAFNOSUPPORT: 'address family not supported',
  EPROTONOSUPPORT: 'protocol not supported',
  ENETDOWN: 'network is down',
  ENETUNREACH: 'network is unreachable',
  EHOSTUNREACH: 'no route to host',
  EBADF: 'socket is closed',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'out of memory',
};

/** "ENODEV (no such network device)" */
export function errnoWords(errno: number | string): string {
  const name = typeof errno === 'number' ? errnoName(errno) : errno;
  const w = words[name];
  return w ? `${name} (${w})` : name;
}

/** An error from a system or kernel call: keeps the errno name, the operation and the kernel's own text. */
export class SysError extends VipError {
  constructor(readonly op: string, readonly errno: string, extra?: string, context: Record<string, unknown> = {}) {
    super(errno, `${op}: ${errnoWords(errno)}${extra ? `: ${extra}` : ''}`, { op, ...context });
    this.name = 'SysError';
  }
}
