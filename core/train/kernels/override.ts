/**
 * Swaps a backend's kernel for ours and can put the original back (tests compare the two paths).
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';

const originals = new Map<string, KernelConfig | null>();
const installed = new Map<string, KernelConfig>();

/**
 * Registers `make(original)` for kernel `name` on `backendName` in place of the backend's own (or
 * where it has none), once; `original` is what it replaced.
 */
export function overrideKernel(name: string, backendName: string, make: (original: KernelConfig | null) => KernelFunc): void {
  const key = `${backendName}/${name}`;
  const current = getKernel(name, backendName) ?? null;
  if (current && current === installed.get(key)) return;
  originals.set(key, current);
  if (current) unregisterKernel(name, backendName);
  // The original's setup (its cwrap of wasm functions) has run or will run on backend start.
  const config: KernelConfig = { kernelName: name, backendName, kernelFunc: make(current), setupFunc: current?.setupFunc };
  installed.set(key, config);
  registerKernel(config);
}

/** Puts the backend's own kernel back where it had one; a kernel it lacks stays ours. */
export function restoreKernel(name: string, backendName: string): void {
  const key = `${backendName}/${name}`;
  const original = originals.get(key);
  if (!original || getKernel(name, backendName) !== installed.get(key)) return;
  unregisterKernel(name, backendName);
  registerKernel(original);
  installed.delete(key);
}
