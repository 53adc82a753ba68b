// The --metrics-listen address, parsed apart from the HTTP server so that checking the option does
// not load node:http (the server module is imported only when the daemon listens).
import { ipVersion } from '../lib/ip.js';

export interface ListenAddress { host: string; port: number }

/**
 * "9100" -> 127.0.0.1:9100 (a bare port stays local), "0.0.0.0:9100", "[::1]:9100", ":9100" (all
 * IPv4 addresses). Only IP literals: a host name could resolve differently at every restart.
 */
export function parseListen(arg: string): { ok: true; value: ListenAddress } | { ok: false; error: string } {
  const bad = (why: string): { ok: false; error: string } => ({ ok: false, error: `--metrics-listen ${JSON.stringify(arg)}: ${why}` });
  const text = arg.trim();
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]*)\]:([^:]*)$/.exec(text);
  if (v6) { host = v6[1]!; portText = v6[2]!; if (ipVersion(host) !== 6) return bad(`${host || '[]'} is not an IPv6 address`); }
  else if (text.startsWith('[')) return bad('expected [ADDR]:PORT');
  else if (/^\d+$/.test(text)) { host = '127.0.0.1'; portText = text; }
  else {
    const i = text.lastIndexOf(':');
    if (i < 0) return bad('expected ADDR:PORT or PORT');
    host = text.slice(0, i) || '0.0.0.0';
    portText = text.slice(i + 1);
    if (host.includes(':')) return bad('write an IPv6 address in brackets: [ADDR]:PORT');
    if (ipVersion(host) !== 4) return bad(`${host} is not an IP address`);
  }
  if (!/^\d{1,5}$/.test(portText)) return bad(`port ${JSON.stringify(portText)} is not a number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) return bad(`port ${port} is out of range 1-65535`);
  return { ok: true, value: { host, port } };
}
