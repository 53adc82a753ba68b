// Adds and removes virtual addresses on interfaces. Operations are idempotent: adding an address
// that is present or removing one that is absent succeeds, so a retry never half-applies.
export interface AddressSpec {
  ifname: string;
  /** "10.0.0.100/24" or "fd00::100/64" (a bare address means /32 or /128). */
  prefix: string;
  label?: string;
  /** Do not install the prefix route (keepalived's `noprefixroute`); optional hint. */
  noPrefixRoute?: boolean;
}

export interface AddressManager {
  add(a: AddressSpec): Promise<void>;
  remove(a: AddressSpec): Promise<void>;
  /** Addresses currently on the interface, as "addr/len". */
  list(ifname: string): Promise<string[]>;
}
