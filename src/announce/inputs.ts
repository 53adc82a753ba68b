// What the announcement engine listens to. Both are implemented elsewhere: PoolHealth by the
// director (checkers -> pool quorum per virtual server), VrrpStates by src/app/daemon.ts Daemon,
// whose stateOf/onTransition already have these shapes.

/** Pool health per virtual server, by VirtualServer.name ("10.20.0.1:80/TCP"). */
export interface PoolHealth {
  /**
   * Calls fn whenever a virtual server's pool may have crossed its quorum (the engine re-reads
   * isUp, so spurious calls are harmless). May return an unsubscribe function.
   */
  onChange(fn: (vsName: string) => void): void | (() => void);
  /** true: at or above quorum; false: below; undefined: unknown (not checked yet, or no such service). */
  isUp(vsName: string): boolean | undefined;
}

/** VRRP instance states by instance name. */
export interface VrrpStates {
  /** 'MASTER', 'BACKUP', 'FAULT', ...; undefined when no such instance runs. */
  stateOf(name: string): string | undefined;
  onTransition(fn: (t: { instance: string }) => void): void | (() => void);
}
