// Writes the code cache of dist/check.cjs (src/cli/code-cache.ts): loads the bundle as a Script,
// runs its `check` over a rehearsal director's keepalived.conf and the same as YAML, each valid and
// with an error (the position lookup), so that V8 compiles what checking a real file runs, then
// saves the Script's cache. A check's own work is mostly cold code at the size of a real
// director's file (bench/README.md, "config check", fifth pass). Run by the build in a plain node
// of its own (scripts/bundle-cli.ts), like the listing's (src/cli/bundle-code-cache.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundleWithCache } from './load-bundle.js';
import { writeCodeCache } from './code-cache.js';
import { readKeepalived } from '../config/keepalived/translate.js';
import { toYaml } from './commands/convert.js';
import type { Command } from './command.js';
import { nodeOs } from '../lib/node-os.js';

const CHECKERS = [
  'TCP_CHECK {\n      connect_timeout 3\n    }',
  'HTTP_GET {\n      url {\n        path /healthz\n        status_code 200-299\n        digest 9b3a0c85a887a256d6939da88aabd8cd\n      }\n      connect_timeout 3\n      retry 2\n      delay_before_retry 1\n    }',
  'SSL_GET {\n      url {\n        path /\n        status_code 200\n      }\n    }',
  'MISC_CHECK {\n      misc_path "/usr/local/bin/check-app --port 80"\n      misc_timeout 5\n      misc_dynamic\n    }',
  'PING_CHECK {\n    }',
  'DNS_CHECK {\n      type A\n      name example.org\n    }',
];

/** A director's keepalived.conf: VRRP with scripts and a sync group, virtual servers of each kind of checker. */
function rehearsalConf(): string {
  const servers = Array.from({ length: 6 }, (_, i) => `virtual_server 10.201.0.${i + 1} ${80 + i} {
  delay_loop 6
  lb_algo ${i % 2 ? 'wrr' : 'mh'}
  lb_kind ${i % 3 ? 'DR' : 'NAT'}
  protocol TCP
  persistence_timeout 300
  quorum 1
  sorry_server 10.201.9.9 ${80 + i}
${Array.from({ length: 4 }, (_, j) => `  real_server 10.201.${i + 1}.${j + 1} ${80 + i} {
    weight ${j + 1}
    ${j === 3 ? 'inhibit_on_failure\n    ' : ''}${CHECKERS[(i + j) % CHECKERS.length]}
  }`).join('\n')}
}`);
  return `! rehearsal of vipkeeper check (src/cli/check-code-cache.ts)
global_defs {
  router_id lb1
  enable_script_security
  notify_fifo /run/vipkeeper/notify.fifo
}
vrrp_script chk_haproxy {
  script "/usr/bin/pgrep -x haproxy"
  interval 2
  fall 2
  rise 1
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass s3cret
  }
  virtual_ipaddress {
    10.201.0.1/24 dev eth0 label eth0:vip
    10.201.0.2
  }
  track_script {
    chk_haproxy
  }
  notify_master "/usr/local/bin/notify.sh master"
}
vrrp_instance VI_6 {
  interface eth0
  virtual_router_id 52
  priority 100
  version 3
  virtual_ipaddress {
    2001:db8::10/64
  }
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_6
  }
}
virtual_server fwmark 7 {
  lb_algo rr
  real_server 10.201.8.1 80 {
    TCP_CHECK {
      connect_port 80
    }
  }
}
virtual_server 2001:db8::10 443 {
  lb_algo sh
  protocol TCP
  real_server 2001:db8::21 443 {
    SSL_GET {
      url {
        path /
      }
    }
  }
}
${servers.join('\n')}
`;
}

/** Rehearses `check` in `bundle` and writes its code cache. */
export async function writeBundleCodeCache(bundle: string): Promise<void> {
  const { exports, script, text } = loadBundleWithCache(bundle, true);
  const check = (exports as { default: Command }).default;
  const conf = rehearsalConf();
  const read = readKeepalived('rehearsal.conf', conf, { strict: false });
  if (!read.input) throw new Error('the rehearsal keepalived.conf does not read');
  const yaml = toYaml(read.input, 'rehearsal.conf');
  const dir = mkdtempSync(join(nodeOs().tmpdir(), 'vk-check-rehearsal-'));
  try {
    const files: Array<[string, string, number]> = [
      ['ok.conf', conf, 0], ['ok.yaml', yaml, 0],
      ['bad.conf', conf.replace('lb_algo rr', 'lb_algo xx'), 1], ['bad.yaml', yaml.replace('lbAlgo: rr', 'lbAlgo: xx'), 1],
    ];
    for (const [name, body, expected] of files) {
      writeFileSync(join(dir, name), body);
      for (const argv of [[join(dir, name)], [join(dir, name), '--json']]) {
        let out = '';
        const code = await check.run(argv, { out: (s) => { out += s; }, err: (s) => { out += s; } });
        if (code !== expected) throw new Error(`the rehearsed check of ${name} exited ${code}, not ${expected}: ${out}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeCodeCache(bundle, text, script!.createCachedData());
}
