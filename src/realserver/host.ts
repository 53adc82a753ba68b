// The port between the real-server setup's decisions and the host: /proc/sys values, one link,
// its addresses, kernel modules and the state file. Real adapter: real-host.ts; fake: fake-host.ts.
import type { RealServerState } from './plan.js';

export interface RealServerHost {
  /** /proc/sys value by path segments, trimmed; undefined when absent. */
  readSysctl(path: string[]): Promise<string | undefined>;
  writeSysctl(path: string[], value: string): Promise<void>;
  /** undefined when the link does not exist. */
  link(name: string): Promise<{ up: boolean } | undefined>;
  setLinkUp(name: string, up: boolean): Promise<void>;
  /** "addr/len" of every address on the device. */
  addresses(dev: string): Promise<string[]>;
  addAddress(dev: string, cidr: string): Promise<void>;
  /** Removing an address that is gone is not an error. */
  deleteAddress(dev: string, cidr: string): Promise<void>;
  /** modprobe NAME; throws with the words modprobe gave. */
  loadModule(name: string): Promise<void>;
  readState(): Promise<RealServerState | undefined>;
  writeState(s: RealServerState): Promise<void>;
  removeState(): Promise<void>;
  close(): void;
}
