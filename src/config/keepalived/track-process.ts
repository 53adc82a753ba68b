// keepalived `vrrp_track_process NAME { ... }` -> raw input (keepalived.conf(5); vrrp_parser.c):
// `process PATH [PARAM...]` (parameters imply full_command and an exact param_match), param_match
// with no word meaning exact, `delay` setting both fork_delay and terminate_delay.
import { intField, msField, put, type Spec } from './context.js';
import { weightHandler } from './vrrp.js';

const PARAM_MATCH = ['exact', 'partial', 'initial'];

export const trackProcessSpec: Spec = {
  process: (ctx, n, o, p) => {
    const [first, ...rest] = n.args;
    if (!first) { ctx.arg(n); return; }
    put(ctx, o, p, 'process', first.text, first);
    if (rest.length > 0) put(ctx, o, p, 'params', rest.map((t) => t.text), rest[0]!);
  },
  param_match: (ctx, n, o, p) => {
    const t = n.args[0];
    if (t && !PARAM_MATCH.includes(t.text)) { ctx.error(t, `param_match: expected initial, partial or exact, got '${t.text}'`); return; }
    put(ctx, o, p, 'paramMatch', t?.text ?? 'exact', t ?? n.key);
  },
  weight: weightHandler,
  quorum: intField('quorum'),
  quorum_max: intField('quorumMax'),
  delay: (ctx, n, o, p) => {
    const v = ctx.ms(n);
    put(ctx, o, p, 'forkDelayMs', v, n.key);
    put(ctx, o, p, 'terminateDelayMs', v, n.key);
  },
  fork_delay: msField('forkDelayMs'),
  terminate_delay: msField('terminateDelayMs'),
  full_command: (ctx, n, o, p) => put(ctx, o, p, 'fullCommand', true, n.key),
};
