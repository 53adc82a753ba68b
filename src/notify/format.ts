// The words and lines keepalived gives notify scripts and notify_fifo readers, so existing scripts
// keep working: argv `TYPE NAME STATE PRIORITY` and fifo lines `TYPE "NAME" STATE PRIORITY`.
export type NotifyKind = 'INSTANCE' | 'GROUP';
/** DELETED: an instance removed by a reload with notify_deleted (else keepalived reports FAULT). */
export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';
/**
 * Lines keepalived writes to the FIFO that are not transitions: a master heard a lower priority,
 * and (notify_priority_changes) the effective priority changed while master / otherwise.
 */
export type NotifyEventName = 'MASTER_RX_LOWER_PRI' | 'MASTER_PRIORITY' | 'BACKUP_PRIORITY';

export interface NotifyEvent {
  kind: NotifyKind;
  name: string;
  state: NotifyState;
  /** Effective priority at the transition (0 for groups and on stop, as keepalived reports). */
  priority: number;
}

/** Arguments appended to the generic `notify` script. */
export function genericArgs(e: NotifyEvent): string[] {
  return [e.kind, e.name, e.state, String(e.priority)];
}

/** One notify_fifo line, newline included. */
export function fifoLine(e: NotifyEvent | { kind: NotifyKind; name: string; state: NotifyEventName; priority: number }): string {
  return `${e.kind} "${e.name}" ${e.state} ${e.priority}\n`;
}

/**
 * Splits a keepalived script line ("/path/x arg 'two words'") into an argument vector.
 * Quotes group words; nothing is ever handed to a shell.
 */
export function splitScriptLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") { quote = c; has = true; }
    else if (c === '\\' && i + 1 < line.length) { cur += line[++i]; has = true; }
    else if (/\s/.test(c)) { if (has || cur) out.push(cur); cur = ''; has = false; }
    else cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}
