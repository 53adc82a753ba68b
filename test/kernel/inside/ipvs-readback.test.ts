// Inside the kernel VM: rules added with ipvsadm are listed by `vipkeeper ipvs list` exactly as
// `ipvsadm -Ln` lists them, in every listing layout, counters included after real traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, connect, type Server } from 'node:net';
import { once } from 'node:events';
import { flush, inVm, ipvsadm, ipvsadmRestore, vipkeeper } from './ipvs-support.js';

const RULES = [
  '-A -t 10.0.0.1:80 -s rr',
  '-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 3',
  '-a -t 10.0.0.1:80 -r 10.0.1.3:8080 -m -w 1 -x 10 -y 5',
  '-a -t 10.0.0.1:80 -r 10.0.1.4:80 -g -w 0',
  '-A -t 192.168.0.1:443 -s sh -b sh-fallback,sh-port -p 60 -M 255.255.255.0',
  '-a -t 192.168.0.1:443 -r 10.0.2.2 -g',
  '-a -t 192.168.0.1:443 -r 10.0.2.3 -i --tun-type gue --tun-port 6080 --tun-csum',
  '-a -t 192.168.0.1:443 -r 10.0.2.4 -i --tun-type gre',
  '-a -t 192.168.0.1:443 -r 10.0.2.5 -i',
  '-A -u 10.0.0.1:53 -s wlc -o',
  '-A -u 172.16.0.1:53 -s lblcr',
  '-A --sctp-service 10.0.0.9:99 -s mh -b mh-port',
  '-A -f 7 -s lc -p',
  '-a -f 7 -r 10.0.3.3:0 -g -w 2',
  '-A -f 4294967295 -s fo',
  '-A -t [2001:db8::1]:80 -s rr -p 100 -M 64',
  '-a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -m',
  '-a -t [2001:db8::1]:80 -r [2001:db8:ffff:ffff:ffff:ffff:ffff:fffe]:65535 -m -w 100',
  '-A -f 8 -6 -s ovf',
  '-A -t 10.255.255.254:65535 -s wrr',
  '-a -t 10.255.255.254:65535 -r 172.16.255.254:65535 -m -w 65535',
  '-A -t 1.2.3.4:1 -s nq',
  '-A -t 255.255.255.254:2 -s sed',
];

const VIEWS: [string[], string[]][] = [
  [[], []],
  [['--stats'], ['--stats']],
  [['--rate'], ['--rate']],
  [['--thresholds'], ['--thresholds']],
  [['--persistent-conn'], ['--persistent-conn']],
  [['--stats', '--exact'], ['--stats', '--exact']],
];

async function sameAsIpvsadm(ours: string[], theirs: string[]): Promise<void> {
  // Rates move every 2 s with the kernel's estimator: take the two listings back to back and retry.
  let last = { mine: '', ref: '' };
  for (let attempt = 0; attempt < 5; attempt++) {
    const mine = await vipkeeper('ipvs', 'list', ...ours);
    assert.equal(mine.code, 0, mine.err);
    const ref = ipvsadm('-Ln', ...theirs);
    if (mine.out === ref) return;
    last = { mine: mine.out, ref };
  }
  assert.equal(last.mine, last.ref, `vipkeeper ipvs list ${ours.join(' ')} differs from ipvsadm -Ln ${theirs.join(' ')}`);
}

test('rules added with ipvsadm -R read back identically in every layout, and as -Sn rules', async (t) => {
  if (!inVm(t)) return;
  flush();
  try {
    ipvsadmRestore(RULES);
    for (const [ours, theirs] of VIEWS) await sameAsIpvsadm(ours, theirs);
    const rules = await vipkeeper('ipvs', 'list', '--rules');
    assert.equal(rules.out, ipvsadm('-Sn'));
  } finally {
    flush();
  }
});

test('counters after real traffic: --stats and --rate match ipvsadm', async (t) => {
  if (!inVm(t)) return;
  flush();
  let server: Server | undefined;
  try {
    // IPVS ignores loopback traffic: the VIP sits on a dummy device, and the real server is the same
    // address on another port, so the local listener answers through IPVS's NAT.
    execFileSync('ip', ['link', 'add', 'vkdummy0', 'type', 'dummy']);
    execFileSync('ip', ['link', 'set', 'vkdummy0', 'up']);
    execFileSync('ip', ['addr', 'add', '10.5.0.1/24', 'dev', 'vkdummy0']);
    server = createServer((s) => { s.on('data', (d) => s.write(d)); s.on('end', () => s.end()); });
    server.listen(7080, '10.5.0.1');
    await once(server, 'listening');
    ipvsadm('-A', '-t', '10.5.0.1:7081', '-s', 'rr');
    ipvsadm('-a', '-t', '10.5.0.1:7081', '-r', '10.5.0.1:7080', '-m');
    for (let i = 0; i < 20; i++) {
      const sock = connect(7081, '10.5.0.1');
      await once(sock, 'connect');
      sock.end(Buffer.alloc(3000, 1));
      for await (const _ of sock) { /* drain the echo */ }
    }
    // The kernel folds its per-CPU counters into the listed ones on its 2-second estimator tick.
    let stats = '';
    for (let i = 0; i < 40 && !/^TCP {2}10\.5\.0\.1:7081 +20 /m.test(stats); i++) {
      await new Promise((r) => setTimeout(r, 250));
      stats = ipvsadm('-Ln', '--stats', '--exact');
    }
    assert.match(stats, /^TCP {2}10\.5\.0\.1:7081 +20 /m, `no traffic counted:\n${stats}`);
    await sameAsIpvsadm(['--stats'], ['--stats']);
    await sameAsIpvsadm(['--stats', '--exact'], ['--stats', '--exact']);
    await sameAsIpvsadm(['--rate'], ['--rate']);
    await sameAsIpvsadm([], []);
    const json = JSON.parse((await vipkeeper('ipvs', 'list', '--json')).out);
    assert.equal(json.services[0].stats.conns, 20);
    assert.equal(json.services[0].dests[0].forward, 'masq');
    assert.ok(json.services[0].stats.inBytes > 60000, 'bytes counted');
  } finally {
    server?.close();
    flush();
    spawnSync('ip', ['link', 'del', 'vkdummy0']);
  }
});

test('the package\'s bin lists from its bundle compiled ahead: ipvsadm -Ln\'s text, the code cache used by this VM\'s node', (t) => {
  if (!inVm(t)) return;
  flush();
  try {
    ipvsadmRestore(RULES);
    // The bin as an operator runs it (dist/cli.cjs loads dist/ipvs.cjs with the cache beside it).
    const bin = spawnSync('node', ['dist/cli.cjs', 'ipvs', 'list'], { cwd: '/project', encoding: 'utf8', timeout: 120_000 });
    assert.equal(bin.status, 0, bin.stderr);
    assert.equal(bin.stdout, ipvsadm('-Ln'));
    // The cache was made on the host by the build (src/cli/bundle-code-cache.ts): this node takes it.
    const use = spawnSync('node', ['--input-type=module', '-e',
      'const { loadBundleWithCache } = await import("/project/dist/cli/load-bundle.js"); console.log(loadBundleWithCache("/project/dist/ipvs.cjs").cache);'],
    { cwd: '/project', encoding: 'utf8', timeout: 120_000 });
    assert.equal(use.status, 0, use.stderr);
    assert.equal(use.stdout.trim(), 'used');
  } finally {
    flush();
  }
});
