// Stands in for node:os inside the CommonJS bundles (scripts/bundle-cli.ts). pino calls hostname()
// once as it loads (for a base field the daemon's logger leaves out); src reaches the real module
// through src/lib/node-os.ts only. Loading node:os would page in ~0.3 MB of node's code for that
// one call (bench/README.md, "idle daemon", eighth pass).
'use strict';
const { readFileSync } = require('node:fs');

exports.hostname = function hostname() {
  try { return readFileSync('/proc/sys/kernel/hostname', 'utf8').trim(); } catch { return 'localhost'; }
};
