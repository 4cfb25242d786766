/**
 * Dawn, Chromium's WebGPU, through its Node bindings (npm `webgpu`): a prebuilt N-API module per
 * platform, so it loads in Node, Electron's main process and worker threads alike. On Linux it
 * needs the Vulkan loader (libvulkan.so.1, installed with any GPU's Vulkan driver).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendAdapter } from '../../core/api';
import type { GpuLike } from '../../core/train/webgpu';
import { appRoot, HERE } from './paths';

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

/** What the probe found: a GPU adapter, or why there is none. */
/** `noAdapter`: Dawn ran and found none (no GPU, no driver); otherwise the probe itself failed. */
export type AdapterProbe = { available: true; adapter: BackendAdapter } | { available: false; reason: string; noAdapter: boolean };

/** The probe script, beside this module from source and beside the bundle once built. */
export function probeScript(): string {
  return join(HERE, 'webgpuProbe.mjs');
}

/**
 * Looks for a WebGPU adapter in a child process (main/backend/webgpuProbe.mjs), with this process's
 * environment. On a machine without a GPU the Vulkan loader and Dawn print warnings to the process's
 * own stderr, which no JavaScript can silence: in a child they are captured and dropped, and Dawn is
 * loaded into the trainer only where there is a GPU to use.
 */
export function probeAdapter(timeoutMs = 30_000): Promise<AdapterProbe> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [probeScript()], { cwd: appRoot(), env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ available: false, reason: `the GPU probe could not start (${e.message})`, noAdapter: false });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        const r = JSON.parse(out.trim().split('\n').pop() ?? '') as { available: boolean; noAdapter?: boolean; reason?: string; vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
        if (!r.available) return resolve({ available: false, reason: r.reason ?? 'no adapter', noAdapter: r.noAdapter === true });
        return resolve({ available: true, adapter: { vendor: r.vendor ?? '', architecture: r.architecture ?? '', description: r.description ?? '', fallback: r.isFallbackAdapter === true } });
      } catch {
        const last = err.trim().split('\n').pop();
        resolve({ available: false, reason: `the GPU probe ${signal ? `was killed (${signal})` : `exited with code ${code}`}${last ? `: ${last.slice(0, 160)}` : ''}`, noAdapter: false });
      }
    });
  });
}
