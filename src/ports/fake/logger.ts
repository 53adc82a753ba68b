// A logger that keeps every record (with its bindings) for assertions.
import type { Logger } from '../logger.js';

export interface LogRecord { level: string; msg?: string; [k: string]: unknown }

export class MemoryLogger implements Logger {
  constructor(readonly records: LogRecord[] = [], private bindings: Record<string, unknown> = {}) {}
  child(b: Record<string, unknown>): Logger { return new MemoryLogger(this.records, { ...this.bindings, ...b }); }
  debug(o: Record<string, unknown> | string, msg?: string): void { this.put('debug', o, msg); }
  info(o: Record<string, unknown> | string, msg?: string): void { this.put('info', o, msg); }
  warn(o: Record<string, unknown> | string, msg?: string): void { this.put('warn', o, msg); }
  error(o: Record<string, unknown> | string, msg?: string): void { this.put('error', o, msg); }
  private put(level: string, o: Record<string, unknown> | string, msg?: string): void {
    const fields = typeof o === 'string' ? { msg: o } : { ...o, msg };
    this.records.push({ level, ...this.bindings, ...fields });
  }
}
