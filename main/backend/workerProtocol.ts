import type { BackendInfo } from '../../core/api';
import type { GraphDoc } from '../../core/graph/types';
import type { TrainEvent } from '../../core/train/events';

/** Messages from the trainer host to its worker thread. */
export type ToWorker =
  | { type: 'train'; runId: string; graph: GraphDoc; datasetId: string; runDir: string; resume: boolean }
  /** Control of one run, by id: a stop that arrives before its run has begun still stops it. */
  | { type: 'stop' | 'pause' | 'resume'; runId: string }
  /** The host is about to terminate the worker: finish the native call in flight, start none (workerEnd.ts). */
  | { type: 'close' }
  /** Asks where the loop stands; answered by a 'position' with the same id. */
  | { type: 'position'; id: number };

/**
 * Where the worker's loop stands: its run, the batches the run has begun, and whether a pause holds
 * it (the loop waits on resume or stop, so no batch can begin): what shows a pause holds without
 * waiting for time.
 */
export interface LoopPosition {
  runId: string | null;
  batchesBegun: number;
  held: boolean;
}

/** Messages from the worker thread to the host. */
export type FromWorker =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'fatal'; message: string }
  /** The run failed on a GPU fault: the worker's device is broken, so the host replaces the worker before the next run. */
  | { type: 'device-fault' }
  | { type: 'event'; event: TrainEvent }
  /** No ONNX Runtime call is in flight or will start: the worker can be terminated safely. */
  | { type: 'closed' }
  | { type: 'position'; id: number; position: LoopPosition };
