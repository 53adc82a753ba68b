// global_defs rules for the IPVS side: lvs_timeouts and lvs_sync_daemon (keepalived 2.2.7's ranges).
import { isMulticast, parseIP } from '../lib/ip.js';
import type { Config } from './model.js';
import type { Reporter } from './normalize.js';
import { ifname, range } from './semantic-vrrp.js';

/** keepalived's LVS_MAX_TIMEOUT: 31 days. 0 leaves the kernel's value as it is. */
const MAX_TIMEOUT_S = 86_400 * 31;

export function checkLvsGlobal(r: Reporter, c: Config): void {
  const t = c.global.lvsTimeouts;
  if (t) {
    range(r, '/global/lvsTimeouts/tcpS', 'lvs_timeouts tcp', t.tcpS, 0, MAX_TIMEOUT_S, ' s');
    range(r, '/global/lvsTimeouts/tcpFinS', 'lvs_timeouts tcpfin', t.tcpFinS, 0, MAX_TIMEOUT_S, ' s');
    range(r, '/global/lvsTimeouts/udpS', 'lvs_timeouts udp', t.udpS, 0, MAX_TIMEOUT_S, ' s');
  }
  const s = c.global.lvsSyncDaemon;
  if (!s) return;
  const p = '/global/lvsSyncDaemon';
  ifname(r, `${p}/interface`, 'lvs_sync_daemon interface', s.interface);
  const inst = c.vrrpInstances.find((x) => x.name === s.vrrpInstance);
  // The daemon is master while this instance is MASTER, so it must exist.
  if (!inst && s.vrrpInstance !== '') r.error(`${p}/vrrpInstance`, `lvs_sync_daemon: vrrp_instance '${s.vrrpInstance}' is not defined`);
  range(r, `${p}/syncId`, 'lvs_sync_daemon id', s.syncId, 0, 255);
  // An IP + UDP header must fit in one 65535-byte datagram.
  range(r, `${p}/maxLen`, 'lvs_sync_daemon maxlen', s.maxLen, 1, 65_535 - 20 - 8);
  range(r, `${p}/port`, 'lvs_sync_daemon port', s.port, 1, 65_535);
  range(r, `${p}/ttl`, 'lvs_sync_daemon ttl', s.ttl, 1, 255);
  if (s.group !== undefined) {
    let ok = false;
    try { ok = isMulticast(parseIP(s.group).addr); } catch { ok = true; /* not an address: reported by the builder */ }
    if (!ok) r.error(`${p}/group`, `lvs_sync_daemon group must be a multicast address, got '${s.group}'`);
  }
}
