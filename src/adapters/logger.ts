// pino as the Logger port: JSON lines on stdout, or pino-pretty when stdout is a terminal.
import { requireFrom } from '../lib/require-from.js';
import { pino } from 'pino';
import type { Logger } from '../ports/logger.js';
import { isoTime } from '../lib/iso-time.js';
import { readableStack } from '../lib/readable-stack.js';
import { isTerminal } from '../lib/is-terminal.js';

/** pino's `time` field as its stdTimeFunctions.isoTime writes it. */
const isoStamp = (): string => `,"time":"${isoTime(Date.now())}"`;
/** A logged `stack` (an error nobody expected) in the sources' files and lines, not the bundle's. */
const serializers = { stack: (s: unknown) => (typeof s === 'string' ? readableStack(s) : s) };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = typeof LOG_LEVELS[number];

export function createLogger(level: LogLevel = 'info', pretty = isTerminal(1)): Logger & { flush?: () => void } {
  if (pretty) {
    // A stream in this process, not a transport: a transport is a worker thread the daemon would
    // carry for a terminal's sake (and its worker file is not in the daemon's bundle). Loaded here
    // only, so a daemon under a service manager never reads it.
    const prettyStream = requireFrom(() => import.meta.url)('pino-pretty') as typeof import('pino-pretty').PinoPretty;
    return pino({ level, base: { pid: process.pid }, serializers }, prettyStream({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', sync: true })) as unknown as Logger;
  }
  // Synchronous writes: a log line is on stdout before the next packet is handled, and none is
  // lost when the daemon exits right after a transition.
  // pino's isoTime is toISOString, whose first call pages in ICU's time zones (src/lib/iso-time.ts).
  return pino({ level, base: { pid: process.pid }, timestamp: isoStamp, serializers }, pino.destination({ dest: 1, sync: true })) as unknown as Logger;
}
