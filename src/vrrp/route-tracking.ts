// Which configured virtual route or rule a kernel deletion is (keepalived tracks them unless
// `no_track`: a master whose tracked route or rule is deleted leaves MASTER, keepalived_netlink.c
// set_vrrp_backup, and reinstalls it when it is next master). Pure. A field the configuration
// leaves to the kernel (a route's metric, a rule's priority and mask) matches whatever it chose.
import type { VirtualRoute, VirtualRule } from '../config/model.js';
import type { RouteDeletion, RuleDeletion } from '../ports/virtual-routes.js';

export function routeDeleted(v: VirtualRoute, d: RouteDeletion): boolean {
  return v.family === d.family && v.to === d.to && v.table === d.table && v.type === d.type && v.via === d.via
    && (v.metric === undefined || v.metric === d.metric);
}

export function ruleDeleted(v: VirtualRule, d: RuleDeletion): boolean {
  return v.family === d.family && v.from === d.from && v.to === d.to && v.action === d.action
    && (v.action !== 'table' || v.table === d.table) && (v.priority === undefined || v.priority === d.priority)
    && v.iif === d.iif && v.oif === d.oif && (v.tos ?? 0) === (d.tos ?? 0) && v.fwmark === d.fwmark
    && (v.fwmask === undefined || v.fwmask === d.fwmask);
}
