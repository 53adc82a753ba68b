// Stands in for thread-stream inside dist/run.cjs (scripts/bundle-cli.ts). pino requires it when
// it loads, for transports (a worker thread per destination), which the daemon does not use.
'use strict';
module.exports = class ThreadStream {
  constructor() { throw new Error('pino transports are not part of the daemon bundle'); }
};
