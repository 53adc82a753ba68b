// require() for a module's lazy loads (node's modules it should not page in until used, the
// package's own CommonJS files), past the bundler. In the build's CommonJS files (VK_CJS, set by
// scripts/bundle-cli.ts) that is the file's own require, and node:module is never loaded: its
// public face loads the ES loader's internals, ~10 ms of a listing's start under the kernel VM's
// emulated CPU (bench/README.md, IPVS, tenth pass). ES modules make one from their URL.
import { createRequire } from 'node:module';

declare const VK_CJS: boolean | undefined;

export const requireFrom = (metaUrl: () => string): NodeRequire => (typeof VK_CJS === 'boolean' ? require : createRequire(metaUrl()));
