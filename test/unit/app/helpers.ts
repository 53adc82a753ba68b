// Shared by the app tests: a config from keepalived.conf text (asserting it loads), and a way to
// let queued promise work (address changes, notify, IPVS applies) run between fake-clock steps.
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/model.js';

export const settle = async (): Promise<void> => { for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); };

export function conf(text: string): Config {
  const r = loadConfigText('t.conf', text);
  assert.ok(r.model, JSON.stringify(r.diagnostics));
  return r.model;
}

/** A `vrrp_instance` block at advert_int 1 (VIP 10.0.VRID.100/24 unless given), `extra` lines inside. */
export function instanceText(name: string, vrid: number, prio: number, extra = '', vip = `10.0.${vrid}.100/24`): string {
  return `
vrrp_instance ${name} {
  interface eth0
  virtual_router_id ${vrid}
  priority ${prio}
  advert_int 1
  virtual_ipaddress {
    ${vip}
  }
  ${extra}
}`;
}
