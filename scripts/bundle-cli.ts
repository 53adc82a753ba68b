// dist/cli.js as an esbuild bundle of src/cli.ts, written over tsc's per-file output (which the
// benches and the kernel VM's inside tests import module by module). Why: node loads one ES module
// per file, and the ~160 files a command needs cost 20-25 ms of CPU at every start
// (bench/README.md, "config check"). Code splitting keeps each command's lazily imported modules
// out of the others' start; packages stay in node_modules, resolved at run time as before. The
// chunks go to dist/bundle/, emptied first so that a rebuild leaves no stale chunk; code finds
// files beside the package from any depth through src/lib/package-root.ts.
//
// The daemon (`run`) is one CommonJS file instead, dist/run.cjs, with pino and its helpers inside:
// resolving ~40 ES chunks and ~30 package files made node's path functions hot enough for V8's
// optimizing compiler, whose own code is ~3.6 MiB of node's executable paged in for good, and
// each CommonJS package file costs the loader memory of its own (bench/README.md, "idle daemon",
// fifth pass). `ipvs` is one too, dist/ipvs.cjs: a listing's start is mostly loading cold code,
// and one CommonJS file skips the ES loader's resolve/link/evaluate per chunk (bench/README.md,
// IPVS, fifth pass), and so is `check`, dist/check.cjs ("config check", fifth pass). dist/cli.js
// requires them through `VK_COMMAND_BUNDLES` (src/cli.ts). The package's bin is dist/cli.cjs
// (src/bin.ts), CommonJS too: it runs those itself and hands the other commands to dist/cli.js, so
// that they start without node's ES loader. dist/ipvs.cjs.cache and dist/check.cjs.cache are V8's
// code caches of the bundles after a rehearsed listing / check (src/cli/code-cache.ts): they start
// from compiled code (bench/README.md, IPVS, ninth pass).
//   node --import tsx scripts/bundle-cli.ts      (npm run build does it after tsc)
import { buildSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheFile } from '../src/cli/code-cache.js';

/**
 * Commands with a CommonJS bundle of their own: name -> its source and its file beside dist/cli.js
 * (found from cli.js's own URL, wherever the package sits).
 */
export const COMMAND_BUNDLES: Record<string, {
  source: string; file: string; parts?: Record<string, { source: string; file: string }>;
  /** More of the file's exports: name -> the module exporting it (from the package's top). */
  exports?: Record<string, string>;
  /** A module whose writeBundleCodeCache(file) rehearses the command and writes the file's code cache (src/cli/code-cache.ts). */
  codeCache?: string;
}> = {
  run: { source: 'src/cli/commands/run.ts', file: 'run.cjs' },
  // `check` as one CommonJS file compiled ahead from a rehearsal: ~20 ms of its start less than
  // through dist/cli.js's ES chunks (bench/README.md, "config check", fifth pass).
  check: { source: 'src/cli/commands/check.ts', file: 'check.cjs', codeCache: 'src/cli/check-code-cache.ts' },
  ipvs: {
    source: 'src/cli/commands/ipvs.ts', file: 'ipvs.cjs',
    // A listing's code compiled ahead (src/cli/bundle-code-cache.ts), which runs the bundle's own
    // command over a rehearsal transport, then its socket code on a real one: the command's factory,
    // the client and the transport are exported for it.
    exports: { makeIpvsCommand: 'src/cli/commands/ipvs.ts', IpvsClient: 'src/ipvs/client.ts', openGenlTransport: 'src/ipvs/genl-socket.ts' },
    codeCache: 'src/cli/bundle-code-cache.ts',
    // plan/apply's config reader and planner, which a listing neither loads nor parses: a file of
    // its own beside ipvs.cjs, named to it by the constant (src/cli/commands/ipvs.ts).
    parts: { VK_IPVS_PLANNING: { source: 'src/ipvs/planning.ts', file: 'ipvs-planning.cjs' } },
  },
};
/**
 * Modules the CommonJS bundles take from a file of scripts/ instead, from the package's top. pino's
 * transports run in a worker whose file the bundles do not carry: the daemon has none (a terminal
 * gets pino-pretty as a stream), so thread-stream is never loaded either. worker_threads, assert,
 * node:os and node:diagnostics_channel: pino and sonic-boom use one boolean, one call, the host
 * name and a tracing channel of them, which the shims answer without paging in node's modules (see
 * each file). src reaches node:os through src/lib/node-os.ts, which requires it past the bundler.
 */
export const BUNDLE_SHIMS: Record<string, string> = {
  'thread-stream': 'scripts/no-thread-stream.cjs',
  worker_threads: 'scripts/main-thread-only.cjs',
  assert: 'scripts/plain-assert.cjs',
  'node:os': 'scripts/os-hostname-only.cjs',
  'node:diagnostics_channel': 'scripts/no-diagnostics-channel.cjs',
};
/** Where the daemon's bundle sits, from the package's top. */
export const DAEMON_BUNDLE = `dist/${COMMAND_BUNDLES.run!.file}`;
/** The package's bin (src/bin.ts), from the package's top: package.json's `bin` names it. */
export const BIN = 'dist/cli.cjs';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', legalComments: 'none', logLevel: 'warning' } as const;

/** name -> file of COMMAND_BUNDLES, as the JSON text both entries are built with. */
const bundleNames = JSON.stringify(JSON.stringify(Object.fromEntries(Object.entries(COMMAND_BUNDLES).map(([k, { file }]) => [k, file]))));

export function bundleCli(root: string, outdir: string): void {
  rmSync(join(outdir, 'bundle'), { recursive: true, force: true });
  buildSync({
    ...common,
    absWorkingDir: root,
    entryPoints: { cli: join(root, 'src', 'cli.ts') },
    outdir,
    chunkNames: 'bundle/[name]-[hash]',
    splitting: true,
    format: 'esm',
    packages: 'external',
    define: { VK_COMMAND_BUNDLES: bundleNames },
  });
  // The bin: CommonJS, so a command's start skips node's ES loader unless it goes on to dist/cli.js.
  buildCjs(root, { path: join(root, 'src', 'bin.ts') }, join(outdir, basename(BIN)), { VK_COMMAND_BUNDLES: bundleNames });
  chmodSync(join(outdir, basename(BIN)), 0o755);
  for (const [name, b] of Object.entries(COMMAND_BUNDLES)) {
    const parts = Object.entries(b.parts ?? {});
    // ES entries: reached by import, not require(), the modules are laid out flat in the file's
    // scope instead of each behind a lazy init function (esbuild's __esm): 280 KB less V8 heap in
    // the daemon. The file's exports are then the module's: the command is its `default`.
    const more = Object.entries(b.exports ?? {}).map(([k, from]) => `export { ${k} } from ${JSON.stringify(join(root, from))};`);
    buildCjs(root, { contents: [`export { default } from ${JSON.stringify(join(root, b.source))};`, ...more].join('\n'), sourcefile: `${name}-entry.mjs` },
      join(outdir, b.file), Object.fromEntries(parts.map(([k, p]) => [k, JSON.stringify(`./${p.file}`)])));
    for (const [, p] of parts) buildCjs(root, { contents: `export * from ${JSON.stringify(join(root, p.source))};`, sourcefile: `${p.file}-entry.mjs` }, join(outdir, p.file), {});
    rmSync(codeCacheFile(join(outdir, b.file)), { force: true });
    if (b.codeCache) writeCodeCacheOf(root, b.codeCache, join(outdir, b.file));
  }
}

/**
 * Runs `module`'s writeBundleCodeCache on `file` in a plain node of its own, built as a CommonJS
 * file in a directory of its own: V8 stamps a code cache with its flags, and tsx's process is not
 * the one that will read it. NODE_OPTIONS is left out for the same reason.
 */
function writeCodeCacheOf(root: string, module: string, file: string): void {
  let dir: string;
  try { dir = mkdtempSync(join(tmpdir(), 'vk-code-cache-')); } catch (e) {
    process.stderr.write(`warning: no code cache for ${file}: ${(e as Error).message}\n`);
    return;
  }
  try {
    const runner = join(dir, 'write-code-cache.cjs');
    buildCjs(root, {
      contents: `import { writeBundleCodeCache } from ${JSON.stringify(join(root, module))};
writeBundleCodeCache(process.argv[2]).then(() => {}, (e) => { process.stderr.write(String(e && e.stack || e) + "\\n"); process.exitCode = 1; });`,
      sourcefile: 'write-code-cache.mjs',
    }, runner, {});
    // The runner sits outside the package: packages it uses itself (yaml, for a rehearsal's YAML
    // twin) are found through NODE_PATH; the bundle resolves its own from beside it.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: join(root, 'node_modules') };
    delete env.NODE_OPTIONS;
    const r = spawnSync(process.execPath, [runner, file], { env, encoding: 'utf8', timeout: 120_000 });
    // The cache only saves time: without it the bundle is compiled as before, so the build goes on.
    if (r.status !== 0) process.stderr.write(`warning: no code cache for ${file} (the bundle is compiled at each start): ${r.stderr || r.error?.message || `exit ${r.status}`}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A CommonJS file: the entry's code and everything it reaches, pino included (the daemon's
 * logger). The package's other dependencies stay external, each loaded only when a config uses it
 * (yaml, undici for HTTP checks, prom-client for metrics); so does pino-pretty, a terminal's stream.
 */
function buildCjs(root: string, entry: { contents: string; sourcefile: string } | { path: string }, outfile: string, define: Record<string, string>): void {
  const deps = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
  buildSync({
    ...common,
    absWorkingDir: root,
    ...('path' in entry ? { entryPoints: [entry.path] } : { stdin: { ...entry, resolveDir: root, loader: 'js' as const } }),
    outfile,
    format: 'cjs',
    // Minified: the daemon's idle RSS is 1.4 MB lower (its source held as a string, the names and
    // scopes V8 keeps for it; bench/README.md, "idle daemon", sixth pass). Class and function names
    // go with it; a logged or printed stack is told in the sources' lines from the map beside the
    // file (src/lib/readable-stack.ts).
    minify: true,
    external: deps.filter((d) => d !== 'pino').flatMap((d) => [d, `${d}/*`]),
    alias: Object.fromEntries(Object.entries(BUNDLE_SHIMS).map(([name, file]) => [name, join(root, file)])),
    // What ES modules have and a CommonJS file does not: strict mode for the whole file (our
    // modules are not wrapped, and pino's files are strict already), and the module's own URL
    // (made when first asked for: a listing never does, see src/lib/module-dir.ts).
    define: { ...define, 'import.meta.url': '__vkMeta.url', VK_CJS: 'true' },
    banner: { js: '"use strict";\nconst __vkMeta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
  });
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && realpathSync(process.argv[1]) === self) {
  const root = join(dirname(self), '..');
  bundleCli(root, join(root, 'dist'));
}
