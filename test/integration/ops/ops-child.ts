// A process running startOperations over the fake daemon, for the signal tests (signals must not
// reach the test runner). argv: DIR. Prints "ready" once handlers are installed; SIGTERM closes
// everything and exits 0.
import { join } from 'node:path';
import { StatusSource } from '../../../src/app/status.js';
import { startOperations } from '../../../src/app/operations.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { sampleDirector, sampleVrrp } from '../../unit/ops/fakes.js';
import { monotonicMs } from '../../../src/lib/monotonic.js';

const dir = process.argv[2]!;
const vrrp = sampleVrrp();
const status = new StatusSource(vrrp, { director: () => sampleDirector(monotonicMs()) });
const ops = await startOperations({
  status, logger: silentLogger,
  reload: async () => ({ ok: true, kept: [], changed: [], started: [], stopped: [] }),
  controlSocket: join(dir, 'ctl.sock'),
  dataFile: join(dir, 'vipkeeper.data'),
  statsFile: join(dir, 'vipkeeper.stats'),
});
vrrp.transition('VI_WEB', 'MASTER', 'master-down');
ops.metrics.garpSent('VI_WEB', 5);
process.on('SIGTERM', () => { void ops.close().then(() => process.exit(0)); });
console.log('ready');
