// doctor's output: one line per check, `ok`/`warn`/`FAIL`, the words, and the fix after an arrow.
import type { Finding } from './checks.js';

const TAG = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

export function formatFinding(f: Finding): string {
  return `${TAG[f.level]}  ${f.check}: ${f.message}${f.fix ? ` -> fix: ${f.fix}` : ''}`;
}

export function summaryLine(fs: Finding[]): string {
  const n = (l: Finding['level']) => fs.filter((f) => f.level === l).length;
  const fails = n('fail');
  const warns = `${n('warn')} warning${n('warn') === 1 ? '' : 's'}`;
  return fails ? `${fails} problem${fails === 1 ? '' : 's'} block${fails === 1 ? 's' : ''} this configuration (${warns})`
    : `nothing blocks this configuration (${warns})`;
}
