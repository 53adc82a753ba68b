#!/usr/bin/env node
// Entry point for people and benchmarks: loads tsx, then the TypeScript CLI (see README.md).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exit(await main(process.argv.slice(2)));
