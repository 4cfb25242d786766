/**
 * Telling a GPU from a software renderer by what its adapter says. No tfjs here: the trainer decides
 * before it loads the webgpu backend at all.
 */
import type { BackendAdapter } from '../api';

/** The software renderer an adapter is (SwiftShader, llvmpipe, lavapipe), or null for a real GPU. */
export function softwareAdapter(a: BackendAdapter): string | null {
  const text = `${a.vendor} ${a.architecture} ${a.description}`.toLowerCase();
  for (const name of ['SwiftShader', 'llvmpipe', 'lavapipe', 'WARP']) {
    if (new RegExp(`\\b${name.toLowerCase()}\\b`).test(text)) return name;
  }
  return a.fallback ? 'a fallback adapter' : null;
}
