/**
 * ONNX Runtime's calls finish on a native thread and then call back into the JS thread that made
 * them; a worker terminated while one is in flight aborts the whole process ("terminate called after
 * throwing an instance of 'Napi::Error'"), the app with it. So a worker that uses ONNX Runtime is
 * ended in two steps: its gate closes (no new native call starts, the ones in flight finish), then
 * it is terminated. Every ONNX Runtime call in a worker goes through `native`.
 */
const inFlight = new Set<Promise<unknown>>();
let closed = false;

export function native<T>(call: () => Promise<T>): Promise<T> {
  // The worker is about to end: its caller never resumes, rather than failing with a reason no one reads.
  if (closed) return new Promise<T>(() => {});
  const running = call();
  inFlight.add(running);
  void running.finally(() => inFlight.delete(running)).catch(() => {});
  return running;
}

/** Closes the gate and resolves once no native call is in flight. */
export async function closeNativeGate(): Promise<void> {
  closed = true;
  while (inFlight.size) await Promise.allSettled([...inFlight]);
}

/** How many native calls are in flight (for tests). */
export function nativeCallsInFlight(): number {
  return inFlight.size;
}
