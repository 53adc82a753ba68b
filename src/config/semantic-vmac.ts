// use_vmac checks: a name the kernel takes, one VMAC per name, and the combination vipkeeper
// does not run: unicast without vmac_xmit_base (keepalived.conf(5): unicast peers require it).
// IPv6 instances get an IPv6 VMAC (00:00:5e:00:02:VRID, adapters/vmac.ts).
import type { Config, VrrpInstance } from './model.js';
import type { Reporter } from './normalize.js';
import { duplicates, ifname } from './semantic-vrrp.js';

export function checkVmac(r: Reporter, p: string, name: string, x: VrrpInstance): void {
  if (!x.vmac) return;
  const at = r.sources.get(`${p}/vmac/name`) ? `${p}/vmac/name` : `${p}/vmac`;
  ifname(r, at, `${name}: use_vmac`, x.vmac.name);
  if (x.vmac.name === x.interface) r.error(at, `${name}: use_vmac ${x.vmac.name} is the instance's own interface; the VMAC needs a name of its own`);
  if (x.unicastPeers.length > 0 && !x.vmac.xmitBase) r.error(`${p}/vmac`, `${name}: use_vmac with unicast_peer needs vmac_xmit_base (keepalived requires it too)`);
}

/** Two instances with the same VMAC name would fight over one interface. */
export function checkVmacNames(r: Reporter, c: Config): void {
  duplicates(r, c.vrrpInstances, (x) => x.vmac?.name, (i) => `/vrrpInstances/${i}/vmac`, 'use_vmac interface');
}
