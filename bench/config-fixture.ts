// Generates a large keepalived.conf for the config benchmark: N virtual servers x M real servers,
// each real server with a TCP_CHECK, plus one VRRP instance holding the VIPs.
export function generateKeepalivedConf(virtualServers = 1000, realServers = 10): string {
  const out: string[] = ['global_defs {', '  router_id bench', '}', 'vrrp_instance VI_BENCH {', '  state BACKUP',
    '  interface eth0', '  virtual_router_id 10', '  priority 100', '  advert_int 1', '  virtual_ipaddress {'];
  const vip = (i: number) => `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  for (let i = 0; i < virtualServers; i++) out.push(`    ${vip(i)}/16`);
  out.push('  }', '}');
  for (let i = 0; i < virtualServers; i++) {
    out.push(`virtual_server ${vip(i)} 80 {`, '  delay_loop 6', '  lb_algo wrr', '  lb_kind DR', '  protocol TCP', '  persistence_timeout 300');
    for (let j = 0; j < realServers; j++) {
      out.push(`  real_server 172.16.${i % 250}.${j + 1} 80 {`, `    weight ${j + 1}`, '    TCP_CHECK {', '      connect_timeout 3', '      retry 2', '      delay_before_retry 1', '    }', '  }');
    }
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}
