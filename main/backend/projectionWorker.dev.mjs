// Runs the TypeScript projection worker from source (tests, `npm run cli`): loader flags do not reach worker threads.
import { register } from 'tsx/esm/api';

register();
await import('./projectionWorker.ts');
