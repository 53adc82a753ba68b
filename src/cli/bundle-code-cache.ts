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

/** What dist/ipvs.cjs exports besides its command: enough to run it over another transport. */
interface IpvsBundle {
  makeIpvsCommand(open: () => Promise<IpvsClient>): Command;
  IpvsClient: { open(t: GenlTransport): Promise<IpvsClient> };
}

/** Rehearses a listing in `bundle` and writes its code cache. */
export async function writeListingCodeCache(bundle: string): Promise<void> {
  const { exports, script, text } = loadBundleWithCache(bundle, true);
  const { makeIpvsCommand, IpvsClient } = exports as IpvsBundle;
  let errors = '';
  const code = await makeIpvsCommand(() => IpvsClient.open(rehearsalTransport(rehearsalTable())))
    .run(['list'], { out: () => {}, err: (s) => { errors += s; } });
  if (code !== 0 || errors) throw new Error(`the rehearsed listing failed (exit ${code}): ${errors}`);
  writeCodeCache(bundle, text, script!.createCachedData());
}

