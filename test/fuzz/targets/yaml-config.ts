// Fuzz target: the YAML reader (src/config/yaml.ts) through loadConfigText. Never throws, always
// diagnostics with positions; aliases and merge keys cannot blow up time or memory.
import { loadConfigText } from '../../../src/config/load.js';
import { checkLoad } from './keepalived-conf.js';

export function fuzz(data: Buffer): void {
  const text = data.toString('utf8');
  checkLoad(loadConfigText('/nonexistent-vipkeeper-fuzz/config.yaml', text), text.split('\n').length);
}
