// The metrics HTTP endpoint on loopback: GET /metrics and /status only, read-only, and a failing
// source is a 500 for that request, never a dead server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { StatusSource } from '../../../src/app/status.js';
import { Metrics } from '../../../src/metrics/registry.js';
import { startMetricsServer } from '../../../src/metrics/http.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { parseExposition, valueOf } from './prom-text.js';
import { sampleDirector, sampleVrrp } from './fakes.js';
import { monotonicMs } from '../../../src/lib/monotonic.js';

interface Res { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function call(port: number, method: string, path: string, body?: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    // agent: false: one connection per call, so one malformed exchange cannot spoil the next.
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', (e) => reject(new Error(`${method} ${path}: ${e.message}`)));
    req.end(body);
  });
}

test('GET /metrics and GET /status answer; nothing else does', async () => {
  const vrrp = sampleVrrp();
  const src = new StatusSource(vrrp, { director: () => sampleDirector(monotonicMs()) });
  const m = new Metrics(src, { defaultMetrics: false });
  const srv = await startMetricsServer({ host: '127.0.0.1', port: 0 }, {
    metrics: async () => ({ contentType: m.contentType, body: await m.text() }),
    status: () => src.snapshot(),
  }, silentLogger);
  try {
    assert.equal(srv.address.host, '127.0.0.1');
    assert.ok(srv.address.port > 0);
    vrrp.transition('VI_WEB', 'MASTER', 'master-down');
    const metrics = await call(srv.address.port, 'GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.equal(metrics.headers['content-type'], m.contentType);
    assert.equal(valueOf(parseExposition(metrics.body), 'vipkeeper_vrrp_state', { instance: 'VI_WEB' }), 2);

    const status = await call(srv.address.port, 'GET', '/status?pretty=1');
    assert.equal(status.status, 200);
    assert.match(String(status.headers['content-type']), /^application\/json/);
    const s = JSON.parse(status.body);
    assert.deepEqual(s.instances.map((i: { name: string; state: string }) => [i.name, i.state]), [['VI_WEB', 'MASTER'], ['VI_MAIL', 'BACKUP']]);
    assert.equal(s.virtualServers[0].realServers[0].address, '192.168.1.1');

    const head = await call(srv.address.port, 'HEAD', '/metrics');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');

    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await call(srv.address.port, method, '/status', method === 'DELETE' ? undefined : '{"cmd":"reload"}');
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
    for (const path of ['/', '/reload', '/metrics/x', '/status/', '/metricsx']) {
      assert.equal((await call(srv.address.port, 'GET', path)).status, 404, path);
    }
    // Still serving after all that.
    assert.equal((await call(srv.address.port, 'GET', '/status')).status, 200);
  } finally {
    await srv.close();
  }
});

test('a source that throws gives a 500 and the server keeps answering', async () => {
  let fail = true;
  const srv = await startMetricsServer({ host: '127.0.0.1', port: 0 }, {
    metrics: async () => { if (fail) throw new Error('boom'); return { contentType: 'text/plain', body: 'ok\n' }; },
    status: () => { throw new Error('no status'); },
  }, silentLogger);
  try {
    assert.equal((await call(srv.address.port, 'GET', '/metrics')).status, 500);
    assert.equal((await call(srv.address.port, 'GET', '/status')).status, 500);
    // Not HTTP at all: a 400 on that connection, nothing else.
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect(srv.address.port, '127.0.0.1', () => s.write('GARBAGE \x00\r\n\r\n'));
      let got = '';
      s.on('data', (c) => { got += c; });
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    fail = false;
    const r = await call(srv.address.port, 'GET', '/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok\n');
  } finally {
    await srv.close();
  }
});

test('a port in use is an error, not a crash', async () => {
  const a = await startMetricsServer({ host: '127.0.0.1', port: 0 }, { metrics: async () => ({ contentType: 'x', body: '' }), status: () => ({}) }, silentLogger);
  try {
    await assert.rejects(startMetricsServer(a.address, { metrics: async () => ({ contentType: 'x', body: '' }), status: () => ({}) }, silentLogger), /EADDRINUSE/);
  } finally {
    await a.close();
  }
});
