/**
 * Chromium's SwiftShader, a software Vulkan driver, as Debian ships it: where the WebGPU provider's
 * tests run on a machine without a GPU (slowly: keep shapes small).
 */
import { existsSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Why Vulkan cannot work here before trying it: on Linux, a missing loader. Opening the library
 * tells: a present one loads (and is refused as not being a Node module), a missing one fails to open.
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

/** What the WebGPU tests need (the Vulkan loader and SwiftShader's ICD), or why they must skip. */
export function swiftShaderForTests(): { icd: string } | { skip: string } {
  const vulkan = missingVulkan();
  if (vulkan) return { skip: `${vulkan}; the webgpu tests need it (apt-get install libvulkan1)` };
  if (process.platform !== 'linux' || !existsSync(SWIFTSHADER_ICD)) return { skip: `${SWIFTSHADER_ICD} is missing: the webgpu tests run on Chromium's SwiftShader (apt-get install chromium)` };
  return { icd: SWIFTSHADER_ICD };
}
