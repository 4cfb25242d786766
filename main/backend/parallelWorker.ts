/** The follower thread of data-parallel training: same backend as the leader, then core's step loop. */
import { parentPort, workerData } from 'node:worker_threads';
import { runFollower, type FollowerInit } from '../../core/train/parallel';
import { makeOptimizer } from '../../core/train/train';
import { selectBackend } from './tfBackend';

const init = workerData as FollowerInit;
const port = parentPort!;

async function main() {
  const backend = await selectBackend(init.backend).catch(() => null);
  if (backend?.name !== init.backend) {
    port.postMessage({ type: 'unavailable' });
    return;
  }
  await runFollower(init, (graph) => makeOptimizer(graph.training), () => port.postMessage({ type: 'ready' }));
}

main().catch((err: Error) => {
  console.error(`parallel training follower: ${err.stack ?? err.message}`);
  port.postMessage({ type: 'failed', message: err.message });
});
