// Stands in for node:assert inside the CommonJS bundles (scripts/bundle-cli.ts): sonic-boom, pino's
// destination, calls assert(condition, message) once, and node's assert module would page in its
// error formatting, colours and the process's stderr stream for it (see main-thread-only.cjs).
'use strict';
module.exports = function assert(ok, message) {
  if (!ok) throw Object.assign(new Error(message), { code: 'ERR_ASSERTION' });
};
