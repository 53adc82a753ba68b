// Fuzz target: the keepalived.conf lexer, parser and translator through loadConfigText. The law
// for config readers: never throw, always diagnostics (file:line:col), a model only without
// errors. The file sits in a directory that does not exist, so relative includes find nothing.
import { loadConfigText } from '../../../src/config/load.js';
import { check } from '../support.js';

export const FILE = '/nonexistent-vipkeeper-fuzz/keepalived.conf';

export function checkLoad(r: ReturnType<typeof loadConfigText>, lines: number): void {
  check(Array.isArray(r.diagnostics), 'no diagnostics array');
  for (const d of r.diagnostics) {
    check(d.severity === 'error' || d.severity === 'warning', 'diagnostic severity');
    check(typeof d.message === 'string' && d.message.length > 0, 'diagnostic without a message');
    check(Number.isInteger(d.line) && d.line >= 1 && Number.isInteger(d.col) && d.col >= 1, `diagnostic at ${d.line}:${d.col}`);
    if (d.file.startsWith('/nonexistent-vipkeeper-fuzz/')) check(d.line <= lines + 1, `diagnostic on line ${d.line} of a ${lines}-line file`);
  }
  const errors = r.diagnostics.some((d) => d.severity === 'error');
  check(errors ? r.model === undefined : r.model !== undefined, 'a model with errors, or neither a model nor an error');
}

export function fuzz(data: Buffer): void {
  const text = data.toString('utf8');
  checkLoad(loadConfigText(FILE, text), text.split('\n').length);
}
