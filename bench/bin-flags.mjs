// Benchmark aid: the node options on a build's bin line (`#!/usr/bin/env [-S] node FLAGS`), so a
// bench starts the bin as the kernel and env start it for an operator (the kernel VM's env is
// busybox's, which cannot split the line). None for `#!/usr/bin/env node`.
import { readFileSync } from 'node:fs';

/** @param {string} file the bin @returns {string[]} */
export function binFlags(file) {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0];
  return /^#!\/usr\/bin\/env (?:-S )?node(?: (.*))?$/.exec(first)?.[1]?.split(' ').filter(Boolean) ?? [];
}
