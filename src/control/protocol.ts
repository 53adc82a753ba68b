// The control socket's wire format, pure: newline-delimited JSON, one request per line and one
// reply line per request. Requests: {"cmd":"status"} and {"cmd":"reload"}. Every reply has `ok`;
// a refusal or failure carries `errors` (strings, each one line, config errors as file:line:col).
import type { Status } from '../app/status.js';

export const DEFAULT_CONTROL_SOCKET = '/run/vipkeeper/vipkeeper.sock';

/** A request line longer than this is refused and the connection closed (no unbounded buffering). */
export const MAX_LINE_BYTES = 64 * 1024;

export type Request = { cmd: 'status' } | { cmd: 'reload' };

export type ReloadResult =
  | { ok: true; kept: string[]; changed: string[]; started: string[]; stopped: string[] }
  | { ok: false; errors: string[] };

export type StatusReply = { ok: true; status: Status };
export type ErrorReply = { ok: false; errors: string[] };
export type Reply = StatusReply | ReloadResult | ErrorReply;

const COMMANDS = ['status', 'reload'] as const;

/** One request line -> a request, or the error to reply with. Never throws. */
export function parseRequest(line: string): { ok: true; req: Request } | { ok: false; error: string } {
  let v: unknown;
  try { v = JSON.parse(line); } catch { return { ok: false, error: 'request is not JSON: expected {"cmd":"status"} or {"cmd":"reload"}' }; }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'request must be a JSON object with a "cmd" field' };
  const cmd = (v as Record<string, unknown>).cmd;
  if (typeof cmd !== 'string') return { ok: false, error: 'request has no "cmd" string' };
  if (!(COMMANDS as readonly string[]).includes(cmd)) return { ok: false, error: `unknown command "${cmd.slice(0, 40)}": expected one of ${COMMANDS.join(', ')}` };
  return { ok: true, req: { cmd: cmd as Request['cmd'] } };
}

export function encodeLine(msg: Request | Reply): string { return `${JSON.stringify(msg)}\n`; }

/** The fields of src/app/reload.ts's ReloadPlan this needs (update/restart: in-place reloads). */
export interface PlanLike { keep: string[]; stop: string[]; start: string[]; update?: string[]; restart?: string[] }

/**
 * A reload plan in the operator's words: changed = updated in place or restarted under the same
 * name (a restarted instance is in both stop and start), started = new, stopped = removed.
 */
export function reloadResult(plan: PlanLike): ReloadResult {
  const restarted = new Set(plan.restart ?? plan.stop.filter((n) => plan.start.includes(n)));
  return {
    ok: true,
    kept: [...plan.keep],
    changed: [...(plan.update ?? []), ...restarted],
    started: plan.start.filter((n) => !restarted.has(n)),
    stopped: plan.stop.filter((n) => !restarted.has(n)),
  };
}

/**
 * Splits a byte stream into lines. `push` returns the complete lines; an over-long line makes
 * it return 'overflow' (the caller replies and hangs up).
 */
export class LineSplitter {
  private buf = '';
  constructor(private max = MAX_LINE_BYTES) {}

  push(chunk: string): string[] | 'overflow' {
    this.buf += chunk;
    const parts = this.buf.split('\n');
    this.buf = parts.pop()!;
    if (this.buf.length > this.max || parts.some((p) => p.length > this.max)) return 'overflow';
    return parts.map((p) => p.replace(/\r$/, '')).filter((p) => p.trim() !== '');
  }

  /** Bytes of a line not yet terminated (a peer that hung up mid-request leaves some). */
  get pending(): number { return this.buf.length; }
}

/** Checks a decoded reply line has the shape of a Reply (the client trusts nothing). */
export function parseReply(line: string): Reply | undefined {
  let v: unknown;
  try { v = JSON.parse(line); } catch { return undefined; }
  if (typeof v !== 'object' || v === null || typeof (v as { ok?: unknown }).ok !== 'boolean') return undefined;
  const r = v as Record<string, unknown>;
  if (r.ok === false) return Array.isArray(r.errors) ? { ok: false, errors: r.errors.map(String) } : undefined;
  return v as Reply;
}
