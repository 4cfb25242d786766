/**
 * Paces the backend's training events into the store: at most one delivery per interval, each
 * carrying every event since the last, in order. A run whose epochs take a few milliseconds sends
 * dozens of events a second; rendering each one (charts, grids) kept the window busy enough that a
 * click on Stop waited seconds to be seen. Events in one delivery are applied in one task, so React
 * renders once for all of them. Any other event first delivers what is waiting, so order holds.
 */
import type { ApiEvent } from '../../../core/api';

export interface Pacer {
  (event: ApiEvent): void;
  /** Delivers what is waiting now, and cancels the timer. */
  flush(): void;
}

export function paceTrainEvents(deliver: (event: ApiEvent) => void, intervalMs: number, now = () => Date.now()): Pacer {
  let waiting: ApiEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastDelivery = -Infinity;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    lastDelivery = now();
    const events = waiting;
    waiting = [];
    for (const event of events) deliver(event);
  };
  const pacer = ((event: ApiEvent) => {
    if (event.type !== 'train' || intervalMs <= 0) {
      flush();
      deliver(event);
      return;
    }
    waiting.push(event);
    if (timer) return;
    const due = lastDelivery + intervalMs - now();
    if (due <= 0) flush();
    else timer = setTimeout(flush, due);
  }) as Pacer;
  pacer.flush = flush;
  return pacer;
}
