// Stands in for node:os inside the CommonJS bundles (scripts/bundle-cli.ts). pino calls hostname()
// once as it loads (for a base field the daemon's logger leaves out): src/lib/node-os.ts answers it,
// the one place src reaches node:os through. Loading node:os would page in ~0.3 MB of node's code
// for that one call (bench/README.md, "idle daemon", eighth pass).
'use strict';
exports.hostname = require('../src/lib/node-os.ts').hostname;
