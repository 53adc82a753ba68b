// Whether a file descriptor is a terminal, from its device number alone. node's answers
// (process.stdout.isTTY, tty.isatty) load its tty module, and with it net and streams: ~1.7 MB of
// node's code paged in for good by a daemon that asks once (bench/README.md, "idle daemon",
// seventh pass). Linux numbers terminals by major (Documentation/admin-guide/devices.txt): 4
// virtual consoles and serial ports, 5 /dev/tty and /dev/console, 136-143 pseudo-terminals (an
// ssh session, a terminal window). Others (USB serial adapters) count as not a terminal: the
// logger then writes JSON, as it does to a file.
import { fstatSync } from 'node:fs';

export function terminalMajor(major: number): boolean { return major === 4 || major === 5 || (major >= 136 && major <= 143); }

export function isTerminal(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isCharacterDevice() && terminalMajor(Math.floor(st.rdev / 256) & 0xfff);
  } catch { return false; }
}
