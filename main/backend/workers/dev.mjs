// Runs a TypeScript worker from source (tests, `npm run cli`): loader flags do not reach worker threads,
// so entry.ts starts this file with the worker's .ts file as its argument.
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
