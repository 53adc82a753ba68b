// Worker threads on Node 20 do not inherit the tsx loader from --import: register it here, then
// load the TypeScript fuzz loop.
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
