// Tells the LAN that addresses moved: gratuitous ARP (IPv4) or unsolicited neighbour
// advertisement with the override flag (IPv6, RFC 4861 §7.2.6).
export interface Announcer {
  /** Sends one announcement for each address (text, no prefix length) from ifname's MAC. */
  announce(ifname: string, addrs: string[]): Promise<void>;
}
