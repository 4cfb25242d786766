import { useCallback, useEffect, useRef, useState } from 'react';
import type { BottleneckApi, CheckpointChoice, ImageBatch } from '../../../core/api';

/** What to decode: a point's own code (its reconstruction), or the code lifted from a place of the map. */
export interface LiveTarget {
  code: number[];
  at: [number, number];
  /** The image's validation index, for a point. */
  index: number | null;
}

export interface LiveDecode {
  image: ImageBatch | null;
  at: [number, number] | null;
  /** The point whose reconstruction the image is, or null for a place off the points. */
  index: number | null;
  /** Milliseconds from a pointer move to its image, last 100 moves: for the view's readout and the tests' report. */
  latencies: number[];
}

/**
 * Decodes the code under the pointer as it moves. At most one request is in flight: a move while one
 * is pending replaces the next request, so the image follows the pointer without a queue building up.
 */
export function useLiveDecode(api: BottleneckApi, runId: string | null, checkpoint: CheckpointChoice): [LiveDecode, (target: LiveTarget) => void] {
  const [state, setState] = useState<LiveDecode>({ image: null, at: null, index: null, latencies: [] });
  const next = useRef<LiveTarget & { since: number } | null>(null);
  const busy = useRef(false);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  useEffect(() => setState({ image: null, at: null, index: null, latencies: [] }), [runId, checkpoint]);

  const pump = useCallback(async () => {
    if (busy.current || !runId) return;
    const job = next.current;
    if (!job) return;
    next.current = null;
    busy.current = true;
    try {
      const image = await api.invoke('model:decode', { runId, checkpoint, codes: [job.code] });
      if (alive.current) {
        const took = performance.now() - job.since;
        setState((s) => ({ image, at: job.at, index: job.index, latencies: [...s.latencies.slice(-99), took] }));
      }
    } catch {
      // A failed decode leaves the last image; the view shows model errors on its own.
    } finally {
      busy.current = false;
      if (next.current) void pump();
    }
  }, [api, runId, checkpoint]);

  const hover = useCallback(
    (target: LiveTarget) => {
      next.current = { ...target, since: performance.now() };
      void pump();
    },
    [pump],
  );
  return [state, hover];
}

export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
