// Not a test: run by hand in the VM (node test/kernel/harness/run.mjs -- node --import tsx
// test/kernel/inside/capture-fixtures.ts) to print ipvsadm's own output for a known table; the
// unit tests of src/ipvs/format.ts compare against these captures (test/unit/ipvs/fixtures/).
import { spawnSync } from 'node:child_process';

const sh = (...a: string[]): string => {
  const r = spawnSync(a[0]!, a.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${a.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

export const FIXTURE_RULES = [
  '-A -t 10.0.0.1:80 -s rr',
  '-a -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 3',
  '-a -t 10.0.0.1:80 -r 10.0.1.3:8080 -m -w 1 -x 10 -y 5',
  '-A -t 192.168.0.1:443 -s sh -b sh-fallback,sh-port -p 60 -M 255.255.255.0',
  '-a -t 192.168.0.1:443 -r 10.0.2.2 -g',
  '-a -t 192.168.0.1:443 -r 10.0.2.3 -i --tun-type gue --tun-port 6080 --tun-csum',
  '-A -u 10.0.0.1:53 -s wlc -o',
  '-A --sctp-service 10.0.0.9:99 -s mh -b mh-port',
  '-A -f 7 -s lc -p',
  '-A -t [2001:db8::1]:80 -s rr -p 100 -M 64',
  '-a -t [2001:db8::1]:80 -r [2001:db8::2]:80 -m',
  '-A -f 8 -6 -s rr',
  '-A -t 10.255.255.254:65535 -s wrr',
  '-a -t 10.255.255.254:65535 -r 172.16.255.254:65535 -m -w 65535',
];

if (process.argv[1]?.endsWith('capture-fixtures.ts')) {
  sh('ipvsadm', '-C');
  spawnSync('ipvsadm', ['-R'], { input: FIXTURE_RULES.join('\n') + '\n', encoding: 'utf8' });
  for (const opt of [[], ['--stats'], ['--rate'], ['--thresholds'], ['--persistent-conn'], ['--exact', '--stats']]) {
    process.stdout.write(`=== -Ln ${opt.join(' ')}\n${Buffer.from(sh('ipvsadm', '-Ln', ...opt)).toString('base64')}\n`);
  }
  process.stdout.write(`=== -Sn\n${Buffer.from(sh('ipvsadm', '-Sn')).toString('base64')}\n`);
  sh('ipvsadm', '-C');
}
