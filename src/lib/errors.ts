// Typed errors with a stable `code` that operators and tests can match on, plus errno helpers:
// the kernel answers in negative errno numbers, operators read names and words.
import { constants } from 'node:os';

export class VipError extends Error {
  constructor(readonly code: string, message: string, readonly context: Record<string, unknown> = {}) {
    super(message);
    this.name = 'VipError';
  }
}

const errnoNames = new Map<number, string>();
for (const [name, num] of Object.entries(constants.errno)) if (!errnoNames.has(num)) errnoNames.set(num, name);
// Node lists aliases in an order that prefers the rarer name for some numbers; the kernel's own is kept.
for (const name of ['EOPNOTSUPP', 'EAGAIN', 'EDEADLK']) {
  const num = (constants.errno as Record<string, number>)[name];
  if (num !== undefined) errnoNames.set(num, name);
}

/** 19 -> "ENODEV" (accepts negative kernel values). */
export function errnoName(errno: number): string { return errnoNames.get(Math.abs(errno)) ?? `E${Math.abs(errno)}`; }

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
