// Interface state for track_interface and for the instance's own interface.
export interface LinkInfo {
  ifname: string;
  index: number;
  /** Administratively up and carrier present (IFF_UP and IFF_RUNNING). */
  up: boolean;
  mac?: string;
  /** Usable addresses on the interface, "addr/len" (used for the VRRP source address). */
  addrs?: string[];
  /** Addresses still in duplicate address detection (IFA_F_TENTATIVE) or failed it: not usable. */
  tentative?: string[];
}

export interface LinkWatcher {
  /** Current state, or undefined when no such interface exists. */
  get(ifname: string): LinkInfo | undefined;
  /** Calls fn on every change of any link (up/down, addresses); returns an unsubscribe function. */
  onChange(fn: (link: LinkInfo) => void): () => void;
  close(): void;
}
