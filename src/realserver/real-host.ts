// The real RealServerHost: /proc/sys files, rtnetlink for addresses, `ip link set` and `modprobe`
// run with an argument vector and a timeout, and a JSON state file written atomically.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SysError } from '../lib/errors.js';
import type { Rtnl } from '../net/rtnl.js';
import type { RealServerHost } from './host.js';
import type { RealServerState } from './plan.js';

export const DEFAULT_STATE_FILE = '/var/lib/vipkeeper/realserver.json';

function run(file: string, args: string[], timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, _out, stderr) => {
      if (!err) return resolve();
      const why = stderr.trim() || ((err as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} is not installed` : err.message);
      reject(new Error(`${[file, ...args].join(' ')}: ${why}`));
    });
  });
}

function procPath(path: string[]): string {
  if (path.some((p) => p === '' || p === '.' || p === '..' || p.includes('/'))) throw new Error(`bad sysctl name ${path.join('.')}`);
  return join('/proc/sys', ...path);
}

export function createRealServerHost(stateFile = DEFAULT_STATE_FILE): RealServerHost {
  let rtnl: Rtnl | undefined;
  const r = async () => { if (!rtnl) rtnl = (await import('../net/rtnl.js')).Rtnl.open(); return rtnl; };
  const ifindex = async (dev: string) => (await (await r()).getLink(dev)).index;

  return {
    async readSysctl(path) { return (await readFile(procPath(path), 'utf8').catch(() => undefined))?.trim(); },
    async writeSysctl(path, value) {
      try { await writeFile(procPath(path), value); } catch (e) { throw new Error(`set ${path.join('.')}=${value}: ${(e as Error).message}`); }
    },
    async link(name) {
      try { return { up: (await (await r()).getLink(name)).up }; } catch (e) {
        if (e instanceof SysError && e.errno === 'ENODEV') return undefined;
        throw e;
      }
    },
    async setLinkUp(name, up) { await run('ip', ['link', 'set', 'dev', name, up ? 'up' : 'down']); },
    async addresses(dev) {
      const idx = await ifindex(dev);
      return (await (await r()).listAddresses({ ifindex: idx })).map((a) => `${a.address}/${a.prefixLen}`);
    },
    async addAddress(dev, cidr) {
      // IPv6 on lo/tunl0: no duplicate address detection, the address is the host's alone.
      await (await r()).addAddress({ ifindex: await ifindex(dev), address: cidr, noDad: true });
    },
    async deleteAddress(dev, cidr) { await (await r()).deleteAddress({ ifindex: await ifindex(dev), address: cidr }); },
    async loadModule(name) { await run('modprobe', [name]); },
    async readState() {
      let text: string;
      try { text = await readFile(stateFile, 'utf8'); } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
      const s = JSON.parse(text) as RealServerState;
      if (s?.version !== 1 || !Array.isArray(s.sysctls) || !Array.isArray(s.addresses)) throw new Error(`${stateFile} is not a vipkeeper realserver state file`);
      return s;
    },
    async writeState(s) {
      await mkdir(dirname(stateFile), { recursive: true });
      const tmp = `${stateFile}.tmp`;
      await writeFile(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, stateFile);
    },
    async removeState() { await rm(stateFile, { force: true }); },
    close() { rtnl?.close(); rtnl = undefined; },
  };
}
