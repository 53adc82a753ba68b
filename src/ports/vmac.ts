// Creates and removes VRRP virtual MAC interfaces (macvlans on an instance's interface).
export interface VmacSpec {
  /** The VMAC's own interface name (use_vmac NAME, default vrrp.VRID). */
  name: string;
  /** The interface it sits on (the instance's `interface`). */
  base: string;
  /** "00:00:5e:00:01:33" (IPv4), "00:00:5e:00:02:33" (IPv6). */
  mac: string;
  /** The instance's family: an IPv6 VMAC carries a copy of the base's link-local address. */
  family: 4 | 6;
}

export interface VmacPort {
  /**
   * Creates the interface up, tuned for VRRP (IPv4: ARP answered only for its own addresses, IPv6
   * off; IPv6: no address of its own but a copy of the base's link-local to send adverts from),
   * or adopts one that matches exactly (a crashed run's). An interface of that name that is
   * anything else is an error (VipError 'vmac-conflict') and is left as it is.
   */
  create(s: VmacSpec): Promise<'created' | 'adopted'>;
  /** Deletes it and restores the base interface's ARP settings; absent already is a success. */
  remove(s: VmacSpec): Promise<void>;
}
