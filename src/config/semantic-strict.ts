// vrrp_strict's configuration rules, as keepalived 2.2.7 applies them (vrrp.c,
// vrrp_complete_instance). keepalived reports each as a configuration error and then runs with
// something else (drops the authentication, resets preempt_delay or accept, changes the initial
// state) or drops the instance (no VIP, unicast peers); vipkeeper refuses them all, so the file
// says what runs. Rules that hold without vrrp_strict (IPv6 needs v3, VRRPv2 advert_int in whole
// seconds) are checked in semantic-vrrp.ts already. They apply per instance: strict_mode, which
// defaults to vrrp_strict (an instance may turn it on or off for itself, as in keepalived).
import { isLinkLocal6, parseIP } from '../lib/ip.js';
import type { Config, VrrpInstance } from './model.js';
import type { Reporter } from './normalize.js';

const OWNER = 255;

export function checkStrict(r: Reporter, c: Config): void {
  c.vrrpInstances.forEach((x, i) => { if (x.strictMode) checkInstance(r, x, `/vrrpInstances/${i}`); });
}

function checkInstance(r: Reporter, x: VrrpInstance, p: string): void {
  const name = r.subject(p, `vrrp_instance ${x.name}`);
  const no = (path: string, what: string, why: string): void => r.error(path, `${name}: ${what} is not allowed with vrrp_strict (${why})`);

  if (x.virtualIps.length === 0) r.error(p, `${name}: vrrp_strict requires at least one virtual_ipaddress (keepalived does not start the instance)`);
  if (x.unicastPeers.length > 0) no(`${p}/unicastPeers`, 'unicast_peer', 'RFC 5798 adverts go to the multicast group; keepalived does not start the instance');
  if (x.authPass !== undefined || x.authType !== undefined) no(`${p}/${x.authPass !== undefined ? 'authPass' : 'authType'}`, 'authentication', 'RFC 5798 removed it; keepalived would drop it and send none');
  if (x.preemptDelayMs > 0) no(`${p}/preemptDelayMs`, 'preempt_delay', 'not in RFC 5798; keepalived would reset it to 0');
  // RFC 5798 §6.4.1: only the address owner (priority 255) starts as Master.
  if (r.sources.has(`${p}/state`) && (x.state === 'MASTER') !== (x.priority === OWNER)) {
    r.error(`${p}/state`, `${name}: with vrrp_strict 'state MASTER' goes with priority 255 (the address owner) and only with it, got state ${x.state} and priority ${x.priority} (keepalived would start it as ${x.priority === OWNER ? 'MASTER' : 'BACKUP'})`);
  }
  // RFC 3768 has no Accept_Mode: a VRRPv2 master that is not the owner must not accept.
  if (x.accept && x.version === 2 && x.priority !== OWNER) no(`${p}/accept`, 'accept with VRRP version 2', 'RFC 3768 §6.4.3 forbids it below priority 255; keepalived would reset it to no_accept');
  if (x.garp.lowerPrioRepeat > 0) no(`${p}/garp/lowerPrioRepeat`, `garp_lower_prio_repeat ${x.garp.lowerPrioRepeat}`, 'keepalived would reset it to 0');
  if (x.garp.lowerPrioDelayMs > 0) no(`${p}/garp/lowerPrioDelayMs`, 'garp_lower_prio_delay', 'keepalived would reset it to 0');
  // RFC §6.4.3: a master discards a lower priority and steps down silently on a higher one.
  if (!x.lowerPrioNoAdvert) no(`${p}/lowerPrioNoAdvert`, 'lower_prio_no_advert off', 'RFC §6.4.3 discards a lower-priority advert; keepalived would turn it on');
  if (x.higherPrioSendAdvert !== false) no(`${p}/higherPrioSendAdvert`, 'higher_prio_send_advert', 'not in the RFC; keepalived would turn it off');
  // RFC 5798 §5.2.9: the first IPv6 address of an advert is the virtual router's link-local one.
  const first = x.virtualIps[0];
  if (x.family === 6 && x.unicastPeers.length === 0 && first && !isLinkLocal6(parseIP(first.address).addr)) {
    r.error(`${p}/virtualIps/0`, `${name}: with vrrp_strict the first IPv6 virtual_ipaddress must be link-local (fe80::/10, RFC 5798 §5.2.9), got ${first.address}`);
  }
}
