// Reading the guest's serial console: lines, the READY and EXIT marker lines /init prints, and the
// failing tests of a TAP report. Pure: text in, values out.

export const READY_MARKER = 'VIPKEEPER-VM-READY';
export const EXIT_MARKER = 'VIPKEEPER-VM-EXIT';

export type SerialEvent =
  | { kind: 'line'; text: string }
  | { kind: 'ready'; uptimeSec: number }
  | { kind: 'exit'; status: number };

/**
 * Splits console bytes into lines and recognises the markers. The EXIT marker counts only with this
 * run's nonce, so output that happens to print a marker-like line cannot end the run.
 */
export class SerialParser {
  private partial = '';

  constructor(private readonly nonce: string) {}

  push(chunk: string): SerialEvent[] {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    return lines.flatMap((l) => this.line(l));
  }

  /** Whatever is left without a final newline (call once at the end). */
  flush(): SerialEvent[] {
    const rest = this.partial;
    this.partial = '';
    return rest ? this.line(rest) : [];
  }

  private line(raw: string): SerialEvent[] {
    const text = raw.replace(/\r/g, '');
    const ready = new RegExp(`^${READY_MARKER} ([\\d.]+)$`).exec(text);
    if (ready) return [{ kind: 'ready', uptimeSec: Number(ready[1]) }];
    // Not anchored: a kernel message may still precede the marker on its line.
    const exit = new RegExp(`${EXIT_MARKER} (\\S*) (\\d+)\\s*$`).exec(text);
    if (exit && exit[1] === this.nonce) return [{ kind: 'exit', status: Number(exit[2]) }];
    return [{ kind: 'line', text }];
  }
}

/**
 * What of the console reaches the caller: lines up to the exit marker, minus the blank line /init
 * prints before the marker (so that the marker starts a line). Blank lines wait for the next line.
 */
export class ConsoleLines {
  status: number | undefined;
  private blanks = 0;

  /** The lines to pass on for this event (none after the exit marker: only power-down follows). */
  accept(e: SerialEvent): string[] {
    if (e.kind === 'ready' || this.status !== undefined) return [];
    if (e.kind === 'line' && e.text === '') { this.blanks++; return []; }
    if (e.kind === 'exit') {
      this.status = e.status;
      this.blanks = Math.max(0, this.blanks - 1);
    }
    const out: string[] = new Array<string>(this.blanks).fill('');
    this.blanks = 0;
    if (e.kind === 'line') out.push(e.text);
    return out;
  }
}

/**
 * Names of the failed tests in node:test TAP output, as "suite > test (file:line)" paths. Only
 * the innermost failures are listed (a parent fails because its child did).
 */
export function tapFailures(tap: string): string[] {
  const stack: string[] = [];
  const failed: { path: string[]; where?: string }[] = [];
  let open: { path: string[]; where?: string } | undefined;
  for (const line of tap.split('\n')) {
    const indent = Math.floor((/^ */.exec(line)?.[0].length ?? 0) / 4);
    const body = line.trim();
    const sub = /^# Subtest: (.*)$/.exec(body);
    if (sub) {
      stack.length = indent;
      stack[indent] = sub[1]!;
      continue;
    }
    const notOk = /^not ok \d+ - (.*?)(\s+#\s*(TODO|SKIP)\b.*)?$/i.exec(body);
    if (notOk) {
      open = notOk[2] ? undefined : { path: [...stack.slice(0, indent), unescapeTap(notOk[1]!)] };
      if (open) failed.push(open);
      continue;
    }
    // The YAML block after a failure says where the test is: location: '/project/x.test.ts:12:3'.
    const loc = /^location: '(.*):(\d+):\d+'$/.exec(body);
    if (loc && open && !open.where) open.where = `${loc[1]!.replace(/^\/project\//, '')}:${loc[2]}`;
    if (/^(ok|1\.\.)/.test(body)) open = undefined;
  }
  const key = (p: string[]) => p.join('\u0000');
  const keys = failed.map((f) => key(f.path));
  const inner = failed.filter((_, i) => !keys.some((k, j) => j !== i && k.startsWith(keys[i] + '\u0000')));
  return inner.map((f) => f.path.join(' > ') + (f.where ? ` (${f.where})` : ''));
}

/**
 * Tests reported as skipped in node:test TAP output ("suite > test: reason"), and the total of the
 * run's summary lines "# skipped N" (the guest's count). Under VIPKEEPER_REQUIRE_PRIVILEGED=1 a
 * skip inside the VM is a failure like any other privileged skip.
 */
export function tapSkips(tap: string): { names: string[]; summary: number } {
  const stack: string[] = [];
  const names: string[] = [];
  let summary = 0;
  for (const line of tap.split('\n')) {
    const indent = Math.floor((/^ */.exec(line)?.[0].length ?? 0) / 4);
    const body = line.trim();
    const sub = /^# Subtest: (.*)$/.exec(body);
    if (sub) { stack.length = indent; stack[indent] = sub[1]!; continue; }
    const skip = /^(?:not )?ok \d+ - (.*?)\s+#\s*SKIP\b\s*(.*)$/i.exec(body);
    if (skip) names.push([...stack.slice(0, indent), unescapeTap(skip[1]!)].join(' > ') + (skip[2] ? `: ${skip[2]}` : ''));
    const total = /^# skipped (\d+)$/.exec(line);
    if (total) summary += Number(total[1]);
  }
  return { names, summary };
}

function unescapeTap(s: string): string {
  return s.replace(/\\#/g, '#').replace(/\\\\/g, '\\');
}
