/** A run folder's graph.json, read the one safe way (a FIFO, a device or a huge file is refused). */
import { join } from 'node:path';
import type { GraphDoc } from '../../../core/graph/types';
import { parseGraphText } from '../../../core/graph/schema';
import { MAX_GRAPH_TEXT_BYTES } from '../../../core/limits';
import { describeReadError, readTextSafe } from '../safeRead';

/**
 * The run's graph. A missing file throws Node's ENOENT error (callers say so in their words);
 * anything else an Error whose message names graph.json and the fault.
 */
export function readRunGraph(dir: string): GraphDoc {
  let text: string;
  try {
    text = readTextSafe(join(dir, 'graph.json'), MAX_GRAPH_TEXT_BYTES, 'graph.json');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    throw new Error(describeReadError('graph.json', err));
  }
  try {
    return parseGraphText(text);
  } catch (err) {
    throw new Error(`graph.json: ${(err as Error).message}`);
  }
}
