// Stands in for node:diagnostics_channel inside the CommonJS bundles (scripts/bundle-cli.ts). pino
// opens one tracing channel as it loads and skips it for each line while nothing subscribes; nothing
// in the daemon can subscribe (no APM agent is loaded into it). The real module pages in ~0.2 MB of
// node's code (bench/README.md, "idle daemon", eighth pass).
'use strict';
exports.tracingChannel = function tracingChannel() {
  return { hasSubscribers: false, traceSync: (fn, _context, thisArg, ...args) => fn.apply(thisArg, args) };
};
