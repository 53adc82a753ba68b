// The directory of the running module's file. In the build's CommonJS files (dist/*.cjs, every
// module of one laid out in its scope) that is __dirname, with no URL parsed: the URL code is cold
// at every start and costs the VM's emulated CPU milliseconds (bench/README.md, IPVS, tenth
// pass). ES modules (tsc's output, the sources under tsx) have no __dirname and use their URL.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const moduleDir = (metaUrl: () => string): string => (typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(metaUrl())));
