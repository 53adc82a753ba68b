// What `ipvs plan` and `ipvs apply` load and `ipvs list` does not: the config reader and the
// planner, as one module, so that the build can make it a CommonJS file of its own beside
// dist/ipvs.cjs (scripts/bundle-cli.ts) and a listing does not even parse it.
export { formatDiagnostic, loadConfig } from '../config/load.js';
export { desiredFromConfig } from './desired.js';
export { describeOp } from './ops.js';
export { reconcile } from './reconcile.js';
