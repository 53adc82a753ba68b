// keepalived VRRP blocks -> raw input: global_defs, vrrp_script, vrrp_track_file, vrrp_instance,
// vrrp_sync_group. Only syntax is checked here; ranges are checked in semantic.ts for both readers.
import type { Node } from './parser.js';
import {
  boolField, commandField, enumField, intField, listBlock, msField, put, scriptField, scriptUser, strField,
  type Ctx, type Handler, type Obj, type Spec,
} from './context.js';
import { globalLvsSpec } from './global-lvs.js';
import { routeLines, ruleLines } from './virtual-routes.js';
import { useVmac, vmacXmitBase } from './vmac.js';

/** Get or create a nested object field (e.g. `garp`, `notify`). */
function sub(o: Obj, field: string): Obj {
  return (o[field] ??= {}) as Obj;
}
const inSub = (field: string, h: Handler): Handler => (ctx, n, o, p) => h(ctx, n, sub(o, field), `${p}/${field}`);

const fifo = (field: string): Handler => (ctx, n, o, p) => {
  const [path, user, group] = n.args.map((t) => t.text);
  if (!path) { ctx.arg(n); return; }
  put(ctx, o, p, field, { path, ...(user ? { user } : {}), ...(group ? { group } : {}) }, n.key);
};

const garpSpec = (prefix: string): Spec => ({
  [`${prefix}garp_master_delay`]: inSub('garp', msField('masterDelayMs')),
  [`${prefix}garp_master_repeat`]: inSub('garp', intField('masterRepeat')),
  [`${prefix}garp_lower_prio_delay`]: inSub('garp', msField('lowerPrioDelayMs')),
  [`${prefix}garp_lower_prio_repeat`]: inSub('garp', intField('lowerPrioRepeat')),
  [`${prefix}garp_master_refresh`]: inSub('garp', msField('masterRefreshMs')),
  [`${prefix}garp_master_refresh_repeat`]: inSub('garp', intField('masterRefreshRepeat')),
  [`${prefix}garp_interval`]: inSub('garp', msField('intervalMs')),
  [`${prefix}gna_interval`]: inSub('garp', msField('gnaIntervalMs')),
});

export const globalSpec: Spec = {
  router_id: strField('routerId'),
  vrrp_version: intField('vrrpVersion'),
  v3_checksum_as_v2: boolField('v3ChecksumAsV2'),
  enable_script_security: boolField('scriptSecurity'),
  script_user: (ctx, n, o, p) => {
    const [user, group] = n.args.map((t) => t.text);
    if (!user) { ctx.arg(n); return; }
    put(ctx, o, p, 'scriptUser', group ? { user, group } : { user }, n.key);
  },
  notify_fifo: fifo('notifyFifo'),
  vrrp_notify_fifo: fifo('vrrpNotifyFifo'),
  lvs_notify_fifo: fifo('lvsNotifyFifo'),
  vrrp_mcast_group4: strField('mcastGroup4'),
  vrrp_mcast_group6: strField('mcastGroup6'),
  default_interface: strField('defaultInterface'),
  vrrp_strict: boolField('vrrpStrict'),
  vrrp_skip_check_adv_addr: boolField('skipCheckAdvAddr'),
  vrrp_check_unicast_src: boolField('checkUnicastSrc'),
  lvs_flush: boolField('lvsFlush'),
  vrrp_startup_delay: msField('vrrpStartupDelayMs'),
  vrrp_notify_priority_changes: boolField('vrrpNotifyPriorityChanges'),
  vrrp_lower_prio_no_advert: boolField('vrrpLowerPrioNoAdvert'),
  vrrp_higher_prio_send_advert: boolField('vrrpHigherPrioSendAdvert'),
  ...globalLvsSpec,
  ...garpSpec('vrrp_'),
};

/** `NAME [weight N] [reverse|noreverse]` lines of track_* blocks. */
const trackList = (field: string): Handler => listBlock(field, 'name', (ctx, line, item, at, block) => {
  const rest = line.args;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!.text;
    if (w === 'weight') {
      const v = rest[++i];
      if (!v || !/^[-+]?\d+$/.test(v.text)) { ctx.error(v ?? rest[i - 1]!, `${block.key.text}: weight must be an integer`); return; }
      item.weight = Number(v.text);
      ctx.at(`${at}/weight`, v);
    } else if (w === 'reverse' || w === 'noreverse') item.reverse = w === 'reverse';
    else ctx.error(rest[i]!, `${block.key.text}: unexpected '${w}' after '${line.key.text}'`);
  }
});

const VIP_OPTIONS: Record<string, string> = { brd: 'broadcast', broadcast: 'broadcast', dev: 'dev', scope: 'scope', label: 'label' };

/** ADDR[/LEN] [brd X] [dev X] [scope X] [label X] [no_track] */
const vipList = (field: string): Handler => listBlock(field, 'address', (ctx, line, item, at) => {
  const rest = line.args;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!.text;
    if (w === 'no_track') { item.noTrack = true; continue; }
    const f = VIP_OPTIONS[w];
    if (!f) { ctx.error(rest[i]!, `virtual address option '${w}' is not supported (use dev, label, scope, brd, no_track)`); continue; }
    const v = rest[++i];
    if (!v) { ctx.error(rest[i - 1]!, `'${w}' needs a value`); return; }
    item[f] = v.text;
    ctx.at(`${at}/${f}`, v);
  }
});

/** ADDR [min_ttl N] [max_ttl N] */
const peerList = listBlock('unicastPeers', 'address', (ctx, line, item, at) => {
  for (let i = 0; i < line.args.length; i += 2) {
    const k = line.args[i]!, v = line.args[i + 1];
    const f = k.text === 'min_ttl' ? 'minTtl' : k.text === 'max_ttl' ? 'maxTtl' : undefined;
    if (!f || !v || !/^\d+$/.test(v.text)) { ctx.error(k, `unicast_peer: expected 'min_ttl N' or 'max_ttl N', got '${k.text}'`); return; }
    item[f] = Number(v.text);
    ctx.at(`${at}/${f}`, v);
  }
});

const notifySpec: Spec = {
  notify: inSub('notify', scriptField('any')),
  notify_master: inSub('notify', scriptField('master')),
  notify_backup: inSub('notify', scriptField('backup')),
  notify_fault: inSub('notify', scriptField('fault')),
  notify_stop: inSub('notify', scriptField('stop')),
};

const authSpec: Spec = {
  auth_type: (ctx, n, o, p) => {
    const t = ctx.arg(n);
    // PASS is the default and is not stored, so converted PASS configurations stay as they were.
    if (t?.text === 'AH') put(ctx, o, p, 'authType', 'AH', n.key);
    else if (t && t.text !== 'PASS') ctx.error(t, `auth_type ${t.text} is not supported: PASS or AH, in capitals (or no authentication block)`);
  },
  auth_pass: (ctx, n, o, p) => put(ctx, o, p, 'authPass', ctx.arg(n)?.text, n.key),
};

export const instanceSpec: Spec = {
  state: enumField('state', ['MASTER', 'BACKUP'], true),
  interface: strField('interface'),
  virtual_router_id: intField('vrid'),
  priority: intField('priority'),
  version: intField('version'),
  advert_int: msField('advertIntervalMs'),
  nopreempt: (ctx, n, o, p) => put(ctx, o, p, 'preempt', false, n.key),
  preempt: boolField('preempt'),
  preempt_delay: msField('preemptDelayMs'),
  unicast_src_ip: strField('unicastSrcIp'),
  mcast_src_ip: strField('mcastSrcIp'),
  unicast_peer: peerList,
  authentication: (ctx, n, o, p) => ctx.block(n.children, authSpec, o, p, 'authentication'),
  check_unicast_src: boolField('checkUnicastSrc'),
  virtual_ipaddress: vipList('virtualIps'),
  virtual_ipaddress_excluded: vipList('excludedVips'),
  virtual_routes: routeLines,
  virtual_rules: ruleLines,
  use_vmac: useVmac,
  vmac_xmit_base: vmacXmitBase,
  track_interface: trackList('trackInterfaces'),
  track_script: trackList('trackScripts'),
  track_file: trackList('trackFiles'),
  track_process: trackList('trackProcesses'),
  ...garpSpec(''),
  ...notifySpec,
  accept: (ctx, n, o, p) => put(ctx, o, p, 'accept', true, n.key),
  no_accept: (ctx, n, o, p) => put(ctx, o, p, 'accept', false, n.key),
  dont_track_primary: boolField('dontTrackPrimary'),
  down_timer_adverts: intField('downTimerAdverts'),
  // notify_deleted [SCRIPT [user [group]]]: the flag alone, or with a script to run as well.
  notify_deleted: (ctx, n, o, p) => {
    put(ctx, o, p, 'notifyDeleted', true, n.key);
    if (n.args.length) inSub('notify', scriptField('deleted'))(ctx, n, o, p);
  },
  notify_master_rx_lower_pri: inSub('notify', scriptField('masterRxLowerPri')),
  notify_priority_changes: boolField('notifyPriorityChanges'),
  unicast_fault_no_peer: (ctx, n, o, p) => put(ctx, o, p, 'unicastFaultNoPeer', true, n.key),
  strict_mode: boolField('strictMode'),
  lower_prio_no_advert: boolField('lowerPrioNoAdvert'),
  higher_prio_send_advert: boolField('higherPrioSendAdvert'),
};

/** `weight N [reverse|noreverse]` (also FILE_CHECK's). */
export const weightHandler: Handler = (ctx, n, o, p) => {
  put(ctx, o, p, 'weight', ctx.int(n), n.key);
  const r = n.args[1]?.text;
  if (r === 'reverse' || r === 'noreverse') put(ctx, o, p, 'reverse', r === 'reverse', n.args[1]!);
  else if (r !== undefined) ctx.error(n.args[1]!, `weight: expected 'reverse' or 'noreverse', got '${r}'`);
};

export const scriptSpec: Spec = {
  script: commandField('script'),
  interval: msField('intervalMs'),
  timeout: msField('timeoutMs'),
  weight: weightHandler,
  rise: intField('rise'),
  fall: intField('fall'),
  init_fail: boolField('initFail'),
  user: scriptUser,
};

export const trackFileSpec: Spec = { file: strField('path'), weight: weightHandler };

export const syncGroupSpec: Spec = {
  group: (ctx, n, o, p) => {
    const list: string[] = (o.instances ??= []) as string[];
    ctx.at(`${p}/instances`, n.key);
    for (const line of n.children ?? []) {
      for (const t of [line.key, ...line.args]) { ctx.at(`${p}/instances/${list.length}`, t); list.push(t.text); }
    }
  },
  ...notifySpec,
  track_interface: trackList('trackInterfaces'),
  track_script: trackList('trackScripts'),
  track_file: trackList('trackFiles'),
  track_process: trackList('trackProcesses'),
  // keepalived takes it on a group too; vipkeeper only on instances (and globally).
  notify_priority_changes: (ctx, n) => ctx.warn(n.key, 'notify_priority_changes in a vrrp_sync_group is not implemented by vipkeeper; no priority line is written for it: set notify_priority_changes on its instances'),
};

export function namedBlock(ctx: Ctx, n: Node, list: Obj[], spec: Spec, path: string, blockName: string): Obj | undefined {
  const name = n.args[0];
  if (!name) { ctx.error(n.key, `${n.key.text} needs a name`); return undefined; }
  if (!n.children) { ctx.error(n.key, `${n.key.text} ${name.text} needs a { } block`); return undefined; }
  const idx = list.length;
  const o: Obj = { name: name.text };
  const p = `${path}/${idx}`;
  ctx.at(p, n.key);
  ctx.at(`${p}/name`, name);
  ctx.block(n.children, spec, o, p, `${blockName} ${name.text}`);
  list.push(o);
  return o;
}

/**
 * `vrrp_sync_group G { VI_1 VI_2 }` is the pre-2.0 form: keepalived 2.x reads each name as an
 * unknown keyword and drops the group, so those instances were never synced. Refused, naming the
 * form that works, instead of being guessed at.
 */
export function syncGroupBlock(ctx: Ctx, n: Node, list: Obj[]): void {
  const bare = (n.children ?? []).filter((c) => !(c.key.text in syncGroupSpec) && !c.children && c.args.every((a) => !(a.text in syncGroupSpec)));
  if (bare.length > 0 && !(n.children ?? []).some((c) => c.key.text === 'group')) {
    const names = bare.flatMap((c) => [c.key, ...c.args].map((t) => t.text)).join(' ');
    ctx.error(bare[0]!.key, `vrrp_sync_group ${n.args[0]?.text ?? ''}: instance names directly in the block are the pre-2.0 form; keepalived 2.x ignores them (each is an unknown keyword), so these instances were never synced. Write: group { ${names} }`);
    return;
  }
  namedBlock(ctx, n, list, syncGroupSpec, '/syncGroups', 'vrrp_sync_group');
}

/** Every keyword of the VRRP blocks (for "did you mean" and misplaced-keyword checks). */
export const VRRP_KEYWORDS: readonly string[] = [globalSpec, instanceSpec, authSpec, scriptSpec, trackFileSpec, syncGroupSpec].flatMap((sp) => Object.keys(sp));
