import type { BackendInfo } from '../../core/api';
import type { GraphDoc } from '../../core/graph/types';
import type { TrainEvent } from '../../core/train/events';

/** Messages from the trainer host to its worker thread. */
export type ToWorker =
  | { type: 'train'; runId: string; graph: GraphDoc; datasetId: string; runDir: string; resume: boolean }
  | { type: 'stop' }
  | { type: 'pause' }
  | { type: 'resume' };

/** Messages from the worker thread to the host. */
export type FromWorker =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'fatal'; message: string }
  /** The run failed on a GPU fault: the worker's device is broken, so the host replaces the worker before the next run. */
  | { type: 'device-fault' }
  | { type: 'event'; event: TrainEvent };
