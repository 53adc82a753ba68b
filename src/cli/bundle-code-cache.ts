// Writes the code cache of dist/ipvs.cjs (src/cli/code-cache.ts): loads the bundle as a Script,
// runs `ipvs list` over the rehearsal table (src/ipvs/listing-rehearsal.ts) so that V8 compiles
// what a listing runs, and saves the Script's cache, which then holds that bytecode. The build
// runs this in a plain node of its own (scripts/bundle-cli.ts): V8 stamps the cache with its
// flags, and refuses it to a node run with others (V8 flags in NODE_OPTIONS, a heap limit say),
// which then compiles the bundle as without a cache.
import { loadBundleWithCache } from './load-bundle.js';
import { writeCodeCache } from './code-cache.js';
import { rehearsalTable, rehearsalTransport } from '../ipvs/listing-rehearsal.js';
import type { Command } from './command.js';
import type { IpvsClient } from '../ipvs/client.js';
import type { GenlTransport } from '../ipvs/transport.js';
import { encodeGetFamily, GENL_ID_CTRL } from '../codec/netlink/genl.js';
import { NLM_F } from '../codec/netlink/message.js';
import { THREAD_MIN } from '../net/dump-runs.js';

/** What dist/ipvs.cjs exports besides its command: enough to run it over another transport. */
interface IpvsBundle {
  makeIpvsCommand(open: () => Promise<IpvsClient>): Command;
  IpvsClient: { open(t: GenlTransport): Promise<IpvsClient> };
  openGenlTransport(): GenlTransport;
}

/** Rehearses a listing in `bundle` and writes its code cache. */
export async function writeBundleCodeCache(bundle: string): Promise<void> {
  const { exports, script, text } = loadBundleWithCache(bundle, true);
  const { makeIpvsCommand, IpvsClient, openGenlTransport } = exports as IpvsBundle;
  let errors = '';
  const code = await makeIpvsCommand(() => IpvsClient.open(rehearsalTransport(rehearsalTable())))
    .run(['list'], { out: () => {}, err: (s) => { errors += s; } });
  if (code !== 0 || errors) throw new Error(`the rehearsed listing failed (exit ${code}): ${errors}`);
  rehearseSocket(openGenlTransport);
  writeCodeCache(bundle, text, script!.createCachedData());
}

/**
 * The listing's socket code run on a real generic netlink socket, asking the controller (no ip_vs
 * or privileges needed): a request read inline, a dump read here and a run of them in the addon's
 * thread, so that this code is compiled in the cache too. Best effort: a build host without
 * netlink (or the addon) leaves it to be compiled at each listing's start.
 */
function rehearseSocket(open: () => GenlTransport): void {
  let t: GenlTransport | undefined;
  try {
    t = open();
    const family = encodeGetFamily('nlctrl');
    t.requestNow?.(GENL_ID_CTRL, NLM_F.REQUEST | NLM_F.ACK, family);
    for (const n of [1, THREAD_MIN]) t.dumpEach?.(GENL_ID_CTRL, Array.from({ length: n }, () => family), () => {});
  } catch { /* see above */ } finally {
    t?.close();
  }
}

