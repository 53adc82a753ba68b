// Interface state for track_interface and for the instance's own interface.
export interface LinkInfo {
  ifname: string;
  index: number;
  /** Administratively up and carrier present (IFF_UP and IFF_RUNNING). */
  up: boolean;
  mac?: string;
  /** Primary addresses on the interface, "addr/len" (used for the VRRP source address). */
  addrs?: string[];
}

export interface LinkWatcher {
  /** Current state, or undefined when no such interface exists. */
  get(ifname: string): LinkInfo | undefined;
  /** Calls fn on every change of any link; returns an unsubscribe function. */
  onChange(fn: (link: LinkInfo) => void): () => void;
  close(): void;
}
