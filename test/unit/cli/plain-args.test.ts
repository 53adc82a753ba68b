// parseCommandArgs answers plain command lines without node's parseArgs (src/cli/command.ts
// plainArgs): whenever it does, the answer must be parseArgs' own, values' null prototype included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import fc from 'fast-check';
import { parseCommandArgs, plainArgs, UsageError } from '../../../src/cli/command.js';

type Options = NonNullable<ParseArgsConfig['options']>;
const OPTIONS: Options = {
  stats: { type: 'boolean' }, numeric: { type: 'boolean', short: 'n' }, quiet: { type: 'boolean', short: 'q', default: false },
  file: { type: 'string', short: 'f' }, format: { type: 'string', default: 'yaml' }, tag: { type: 'boolean', multiple: true },
  help: { type: 'boolean', short: 'h' },
};
const TOKENS = ['list', 'x', '', '-', '--', '--stats', '--numeric', '-n', '-q', '-nq', '--quiet', '--file', '-f', 'a.yaml',
  '--file=a.yaml', '--format', 'json', '--tag', '--help', '-h', '--nope', '-z', '--stats=1', '--constructor', '--__proto__'];

test('plainArgs answers only as parseArgs does', () => {
  fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 6 }), fc.boolean(), fc.subarray(Object.keys(OPTIONS)), (argv, positionals, keys) => {
    const options = Object.fromEntries(keys.map((k) => [k, OPTIONS[k]!]));
    const plain = plainArgs(argv, options, positionals);
    if (!plain) return;
    assert.deepStrictEqual(plain, parseArgs({ args: argv, options, strict: true, allowPositionals: positionals }));
  }), { numRuns: 3000 });
});

test('plain command lines are answered without parseArgs; the rest still go to it', () => {
  const opts = { stats: { type: 'boolean' }, numeric: { type: 'boolean', short: 'n' } } as const;
  assert.ok(plainArgs([], opts, true));
  assert.ok(plainArgs(['-n', '--stats', 'list'], opts, true));
  for (const argv of [['--stats=1'], ['-ns'], ['--'], ['-'], ['--nope'], ['x']]) assert.equal(plainArgs(argv, opts, false), undefined, argv.join(' '));
  assert.throws(() => parseCommandArgs(['--nope'], opts), (e: Error) => e instanceof UsageError && /Unknown option '--nope'/.test(e.message));
  assert.throws(() => parseCommandArgs(['x'], opts), UsageError);
  assert.deepEqual({ ...parseCommandArgs(['-n', 'a'], opts, true).values }, { numeric: true });
});
