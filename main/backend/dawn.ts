/**
 * Dawn, Chromium's WebGPU, through its Node bindings (npm `webgpu`): a prebuilt N-API module per
 * platform, so it loads in Node, Electron's main process and worker threads alike. On Linux it
 * needs the Vulkan loader (libvulkan.so.1, installed with any GPU's Vulkan driver).
 */
import { existsSync } from 'node:fs';
import type { GpuLike } from '../../core/train/webgpu';

/** The graphics API Dawn uses on this platform, named in reasons ("Vulkan found none"). */
export function graphicsApi(platform = process.platform): string {
  return platform === 'darwin' ? 'Metal' : platform === 'win32' ? 'D3D12' : 'Vulkan';
}

/**
 * Why Dawn cannot work here before trying it: on Linux, a missing Vulkan loader (Dawn would just
 * find no adapter). Opening the library tells: a present one loads (and is refused as not being a
 * Node module), a missing one fails to open.
 */
export function missingVulkan(library = 'libvulkan.so.1', platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, library);
  } catch (err) {
    if (/cannot open shared object file|No such file/i.test((err as Error).message)) return `${library} is not installed (the Vulkan loader: install your GPU's Vulkan driver, e.g. libvulkan1)`;
  }
  return null;
}

/** Loads Dawn and makes a GPU object; throws when the bindings cannot load (not installed, wrong platform). */
export async function loadDawn(): Promise<{ gpu: GpuLike; globals: object }> {
  const { create, globals } = await import('webgpu');
  return { gpu: create([]) as unknown as GpuLike, globals };
}

/** Chromium's SwiftShader Vulkan driver as Debian ships it: a software GPU the webgpu tests run on. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What the webgpu tests need (the Vulkan loader and SwiftShader's ICD), or why they must skip. */
export function swiftShaderForTests(): { icd: string } | { skip: string } {
  const vulkan = missingVulkan();
  if (vulkan) return { skip: `${vulkan}; the webgpu tests need it (apt-get install libvulkan1)` };
  if (process.platform !== 'linux' || !existsSync(SWIFTSHADER_ICD)) return { skip: `${SWIFTSHADER_ICD} is missing: the webgpu tests run on Chromium's SwiftShader (apt-get install chromium)` };
  return { icd: SWIFTSHADER_ICD };
}
