// The real DoctorHost: /proc and /sys files, rtnetlink for links and addresses, the IPVS generic
// netlink family, modinfo (argument vector, timeout) and a raw VRRP socket for listening.
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { VipError } from '../lib/errors.js';
import { formatIP } from '../lib/ip.js';
import { IPPROTO_VRRP, VRRP_TYPE_ADVERTISEMENT, advertIntervalCs, decodeVrrp } from '../codec/vrrp.js';
import { IFF } from '../codec/netlink/rtnl.js';
import type { DoctorHost, HeardAdvert, IpvsFact, LinkFact, ListenRequest, ModuleFact } from './host.js';

const exists = (p: string) => access(p).then(() => true, () => false);

/** Runs a program with an argument vector and a timeout; never throws. */
function run(file: string, args: string[], timeoutMs = 5000): Promise<{ code: number | null; stdout: string; stderr: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr, missing: e?.code === 'ENOENT' });
    });
  });
}

export async function findCommand(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/sbin'];
  for (const d of dirs) {
    const p = join(d, name);
    if (await access(p, constants.X_OK).then(() => true, () => false)) return p;
  }
  return undefined;
}

export function createRealDoctorHost(): DoctorHost {
  // Opened on first use: a host check without a config never needs rtnetlink.
  let rtnl: import('../net/rtnl.js').Rtnl | undefined;
  const getRtnl = async () => { if (!rtnl) rtnl = (await import('../net/rtnl.js')).Rtnl.open(); return rtnl; };

  return {
    async effectiveCapabilities() {
      const text = await readFile('/proc/self/status', 'utf8').catch(() => '');
      const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(text);
      return m ? BigInt(`0x${m[1]}`) : undefined;
    },

    async ipvs(): Promise<IpvsFact> {
      if (await exists('/proc/net/ip_vs')) return { state: 'available' };
      try {
        const { openIpvs } = await import('../ipvs/genl-socket.js');
        (await openIpvs()).close();
        return { state: 'available' };
      } catch (e) {
        if (e instanceof VipError && e.code === 'ipvs-unavailable') return { state: 'unavailable' };
        return { state: 'unknown', detail: (e as Error).message };
      }
    },

    async module(name): Promise<ModuleFact> {
      if (await exists(`/sys/module/${name}`)) return 'loaded';
      const modinfo = await findCommand('modinfo');
      if (!modinfo) return 'unknown';
      const r = await run(modinfo, ['-F', 'filename', name]);
      if (r.missing) return 'unknown';
      if (r.code !== 0) return 'missing';
      return r.stdout.includes('(builtin)') ? 'builtin' : 'installed';
    },

    async links(): Promise<LinkFact[]> {
      const links = await (await getRtnl()).listLinks();
      return links.map((l) => ({ name: l.name, up: l.up, lowerUp: l.lowerUp, multicast: (l.flags & IFF.MULTICAST) !== 0 }));
    },

    async localAddresses() {
      return (await (await getRtnl()).listAddresses()).map((a) => a.address);
    },

    async sysctl(path) {
      if (path.some((p) => p === '..' || p.includes('/'))) return undefined;
      const v = await readFile(join('/proc/sys', ...path), 'utf8').catch(() => undefined);
      return v?.trim();
    },

    async hasCommand(name) { return (await findCommand(name)) !== undefined; },

    async listenVrrp(req: ListenRequest): Promise<HeardAdvert[]> {
      const { RawSocket } = await import('../net/raw-socket.js');
      const link = await (await getRtnl()).getLink(req.iface);
      const s = RawSocket.open({ family: req.family, protocol: IPPROTO_VRRP });
      const heard: HeardAdvert[] = [];
      try {
        s.bindToDevice(req.iface);
        if (req.group) s.joinGroup(req.group, link.index);
        s.onMessage((d) => {
          const r = decodeVrrp(d.data, req.family);
          if (!r.ok || r.advert.type !== VRRP_TYPE_ADVERTISEMENT) return;
          const a = r.advert;
          heard.push({
            src: formatIP(d.src), vrid: a.vrid, priority: a.priority, version: a.version,
            intervalMs: advertIntervalCs(a) * 10, addresses: a.addresses.map(formatIP),
          });
        });
        await new Promise((res) => setTimeout(res, req.durationMs));
      } finally {
        s.close();
      }
      return heard;
    },

    close() { rtnl?.close(); rtnl = undefined; },
  };
}
