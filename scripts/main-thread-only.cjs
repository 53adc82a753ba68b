// Stands in for node:worker_threads inside the CommonJS bundles (scripts/bundle-cli.ts). pino reads
// `isMainThread` from it when it loads, to flush asynchronous destinations at exit; the daemon's
// destinations are synchronous, and its bundle runs on node's main thread only. Loading the real
// module (with node's assert beside it for sonic-boom) pages in ~0.4 MB of node's code for that one
// boolean (bench/README.md, "idle daemon", seventh pass).
'use strict';
module.exports = { isMainThread: true };
