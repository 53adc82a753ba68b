// keepalived `use_vmac [NAME]` and `vmac_xmit_base` -> raw input (`vmac: {name?}`, `vmacXmitBase`).
// The MAC address argument keepalived 2.3 added is refused by name: vipkeeper always uses the
// RFC 5798 virtual MAC, which is what makes the peers' VMACs interchangeable on the wire.
import { put, type Handler } from './context.js';

export const useVmac: Handler = (ctx, n, o, p) => {
  const [name, mac] = n.args;
  if (mac) { ctx.error(mac, `use_vmac: a MAC address argument is not supported by vipkeeper (the VMAC is 00:00:5e:00:01:VRID, 00:00:5e:00:02:VRID for IPv6)`); return; }
  put(ctx, o, p, 'vmac', name ? { name: name.text } : {}, n.key);
  if (name) ctx.at(`${p}/vmac/name`, name);
};

export const vmacXmitBase: Handler = (ctx, n, o, p) => {
  if (n.args.length) { ctx.error(n.args[0]!, `vmac_xmit_base takes no value`); return; }
  put(ctx, o, p, 'vmacXmitBase', true, n.key);
};
