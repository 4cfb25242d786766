// Runs the TypeScript follower thread from source (tests, `npm run cli`, the bench).
import { register } from 'tsx/esm/api';

register();
await import('./parallelWorker.ts');
