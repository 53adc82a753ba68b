// inRange / inMsRange are asked before a path and message are built (semantic-lvs, -checker): they
// must pass exactly the values range() / msRange() accept, or a bad value would go unreported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inMsRange, inRange } from '../../../src/config/in-range.js';
import { msRange, range } from '../../../src/config/semantic-vrrp.js';
import { Reporter } from '../../../src/config/normalize.js';
import { loadConfigText } from '../../../src/config/load.js';

const values = [undefined, -1, 0, 0.5, 1, 2, 999, 1000, 65535, 65536, 2 ** 31, NaN, Infinity, -Infinity, 3_600_000, 3_600_001];
const bounds: Array<[number, number]> = [[0, 65535], [1, 65535], [1, 3_600_000], [0, 0], [-5, 5]];

test('inRange and inMsRange pass what range and msRange accept, and nothing else', () => {
  for (const [min, max] of bounds) {
    for (const v of values) {
      const r = new Reporter(new Map(), 'x.conf');
      range(r, '/p', 'what', v, min, max);
      assert.equal(inRange(v, min, max), r.diagnostics.length === 0, `range ${min}-${max}: ${v}`);
      const m = new Reporter(new Map(), 'x.conf');
      msRange(m, '/p', 'what', v, min, max);
      assert.equal(inMsRange(v, min, max), m.diagnostics.length === 0, `msRange ${min}-${max}: ${v}`);
    }
  }
});

test('real server and checker values out of range are still reported at their lines', () => {
  const text = [
    'virtual_server 10.0.0.1 80 {', '  protocol TCP', '  real_server 10.0.1.1 80 {', '    weight 70000', '    uthreshold 5', '    lthreshold 6',
    '    TCP_CHECK {', '      connect_timeout 0', '      retry 2000000', '      connect_port 0', '    }', '  }', '}', '',
  ].join('\n');
  const r = loadConfigText('x.conf', text);
  const at = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.message.split(' ')[0]}`);
  assert.deepEqual(at, ['4:real_server', '6:real_server', '8:TCP_CHECK', '9:TCP_CHECK', '10:TCP_CHECK']);
});
