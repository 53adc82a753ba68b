// vrrp_sync_group: member instances move to MASTER, BACKUP or FAULT together. When one member
// takes over, the others are moved to MASTER at once; when one steps down, the others step down;
// when one faults, the others are held in FAULT until every faulted member has recovered.
// The group's own notifications fire when all members agree on a new state.
// A reload builds a new group over running members: it starts from their current states (a
// member already in FAULT holds the others, an agreed state is not notified again) and the old
// group is disposed, so no listener is left on a member.
import type { Logger } from '../ports/logger.js';
import type { Instance, Transition } from './instance.js';
import type { VrrpState } from './machine.js';

export class SyncGroup {
  private propagating = false;
  private origins = new Set<Instance>();
  private groupState: VrrpState | undefined;
  private fns: ((state: VrrpState, priority: number) => void)[] = [];
  private unsubs: (() => void)[];

  constructor(readonly name: string, readonly members: Instance[], private logger: Logger) {
    this.unsubs = members.map((m) => m.onTransition((t) => this.onMember(m, t)));
    // Members that are running already (a reload): a member in FAULT for a reason of its own
    // holds the others in FAULT, as if the group had seen it fail.
    for (const m of members) {
      if (m.state === 'FAULT' && m.faultReasons.some((r) => r !== this.faultName)) this.origins.add(m);
    }
    for (const m of members) m.setExternalFault(this.faultName, [...this.origins].some((o) => o !== m));
    const s = members[0]?.state;
    if (s && s !== 'INIT' && members.every((m) => m.state === s)) this.groupState = s;
  }

  /** Stops following the members (the group is replaced by a reload, or gone). */
  dispose(): void { for (const u of this.unsubs.splice(0)) u(); }

  /** Called when every member has reached the same new state (GROUP notifications). */
  onGroupState(fn: (state: VrrpState, priority: number) => void): void { this.fns.push(fn); }

  get state(): VrrpState | undefined { return this.groupState; }

  private get faultName(): string { return `group:${this.name}`; }

  private onMember(m: Instance, t: Transition): void {
    if (!this.propagating) {
      this.propagating = true;
      try { this.propagate(m, t); } finally { this.propagating = false; }
    }
    this.checkAgreement();
  }

  private propagate(m: Instance, t: Transition): void {
    const others = this.members.filter((x) => x !== m);
    // A member in FAULT only because the group holds it is not a cause (a member restarted by a
    // reload starts in FAULT that way); counting it would hold the group forever.
    if (t.to === 'FAULT' && m.faultReasons.some((r) => r !== this.faultName)) {
      this.origins.add(m);
      this.logger.info({ group: this.name, member: m.name }, 'sync group: member in fault, holding the others in fault');
      for (const o of others) o.setExternalFault(this.faultName, true);
    } else if (t.from === 'FAULT' && this.origins.delete(m) && this.origins.size === 0) {
      for (const o of others) o.setExternalFault(this.faultName, false);
    }
    if (t.to === 'MASTER') for (const o of others) o.syncTo('MASTER');
    else if (t.to === 'BACKUP' && t.from === 'MASTER') for (const o of others) o.syncTo('BACKUP');
  }

  private checkAgreement(): void {
    const s = this.members[0]?.state;
    if (!s || s === 'INIT' || this.members.some((m) => m.state !== s) || s === this.groupState) return;
    this.groupState = s;
    this.logger.info({ group: this.name, state: s }, `sync group ${this.name} is ${s}`);
    for (const fn of this.fns) fn(s, 0);
  }
}
