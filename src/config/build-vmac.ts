// use_vmac in the model: the VMAC's name (default vrrp.VRID, as keepalived names it), and the
// VIPs it carries: those of the instance's family whose device is the instance's interface
// (keepalived: "which do not specify a different interface"). Others stay where they are.
import type { VrrpInstance } from './model.js';
import type { VrrpInstanceInput } from './input.js';
import type { Reporter } from './normalize.js';

/** A name the kernel takes (IFNAMSIZ - 1 bytes, no '/', ':' or space); semantic-vmac.ts says why not. */
export const validIfname = (n: string): boolean => /^[^\s/:]{1,15}$/.test(n) && n !== '.' && n !== '..';

export function applyVmac(r: Reporter, path: string, inst: VrrpInstance, x: VrrpInstanceInput): void {
  if (x.vmacXmitBase && !x.vmac) r.error(`${path}/vmacXmitBase`, `${r.subject(path, `vrrp_instance ${inst.name}`)}: vmac_xmit_base needs use_vmac`);
  if (!x.vmac) return;
  const name = x.vmac.name ?? `vrrp.${inst.vrid}`;
  inst.vmac = { name, xmitBase: x.vmacXmitBase ?? false };
  if (!validIfname(name)) return; // reported once, on the name, not again on every VIP
  const move = <T extends { dev: string; family: number }>(v: T): T => (v.dev === inst.interface && v.family === inst.family ? { ...v, dev: name } : v);
  inst.virtualIps = inst.virtualIps.map(move);
  inst.excludedVips = inst.excludedVips.map(move);
}
