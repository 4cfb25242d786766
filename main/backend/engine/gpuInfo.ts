/**
 * What GPU this machine has, read from the operating system without loading any GPU library: the
 * badge's name for it, and whether WebGPU would only find a software renderer. ONNX Runtime's
 * WebGPU provider (Dawn inside it) says nothing about the adapter it picks, so this is the best
 * word the app has; the provider's own failure is what decides whether the GPU path runs.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BackendAdapter } from '../../../core/api';

const VENDORS: Record<string, string> = { '0x10de': 'nvidia', '0x1002': 'amd', '0x8086': 'intel', '0x13b5': 'arm', '0x5143': 'qualcomm', '0x1af4': 'virtio' };
/** Kernel drivers of real GPUs (a render node of another driver, vgem or a virtual display, computes nothing). */
const GPU_DRIVERS = new Set(['nvidia', 'nouveau', 'amdgpu', 'radeon', 'i915', 'xe', 'msm', 'panfrost', 'lima', 'v3d', 'asahi', 'mali_kbase']);

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The model name the NVIDIA driver reports ("NVIDIA H200"), if its proc files are there. */
function nvidiaModel(root: string): string | null {
  const dir = join(root, 'proc/driver/nvidia/gpus');
  try {
    for (const gpu of readdirSync(dir)) {
      const model = /^Model:\s*(.+)$/m.exec(read(join(dir, gpu, 'information')) ?? '')?.[1];
      if (model) return model.trim();
    }
  } catch {
    /* no NVIDIA driver */
  }
  return null;
}

/** The hardware GPUs of a Linux machine (render nodes of GPU drivers), first the discrete ones' vendors. */
export function linuxGpus(root = '/'): BackendAdapter[] {
  const drm = join(root, 'sys/class/drm');
  let nodes: string[] = [];
  try {
    nodes = readdirSync(drm).filter((n) => /^renderD\d+$/.test(n));
  } catch {
    nodes = [];
  }
  const out: BackendAdapter[] = [];
  for (const node of nodes) {
    const device = join(drm, node, 'device');
    let driver = '';
    try {
      driver = basename(readlinkSync(join(device, 'driver')));
    } catch {
      continue;
    }
    if (!GPU_DRIVERS.has(driver)) continue;
    const vendor = VENDORS[read(join(device, 'vendor')) ?? ''] ?? driver;
    const description = (vendor === 'nvidia' ? nvidiaModel(root) : read(join(device, 'product_name'))) ?? `${vendor} GPU (${driver} driver)`;
    out.push({ vendor, architecture: '', description, fallback: false });
  }
  // The NVIDIA driver without DRM render nodes (older drivers, containers): its device files tell.
  if (!out.length && existsSync(join(root, 'dev/nvidia0'))) out.push({ vendor: 'nvidia', architecture: '', description: nvidiaModel(root) ?? 'NVIDIA GPU', fallback: false });
  return out;
}

/** The software Vulkan driver the environment points the loader at (SwiftShader, lavapipe), or null. */
export function softwareVulkan(env: NodeJS.ProcessEnv = process.env): string | null {
  const files = `${env.VK_ICD_FILENAMES ?? ''}:${env.VK_DRIVER_FILES ?? ''}`.toLowerCase();
  if (files.includes('swiftshader')) return 'SwiftShader';
  if (/lvp_icd|lavapipe/.test(files)) return 'lavapipe';
  return null;
}

/**
 * The GPU WebGPU would use here: a hardware one (with its name), a software renderer the
 * environment forces (`software` set), or null with the reason there is none.
 */
export function webgpuAdapter(platform = process.platform, env: NodeJS.ProcessEnv = process.env, root = '/'): { adapter: BackendAdapter; software: string | null } | { none: string } {
  const software = softwareVulkan(env);
  if (software) return { adapter: { vendor: software.toLowerCase(), architecture: '', description: software, fallback: true }, software };
  if (platform === 'linux') {
    const gpus = linuxGpus(root);
    if (!gpus.length) return { none: 'no GPU found (no render device of a GPU driver in /sys/class/drm)' };
    return { adapter: gpus[0]!, software: null };
  }
  // Every Mac has a Metal GPU; on Windows DirectML comes first and WebGPU runs on D3D12's adapter.
  return { adapter: { vendor: platform === 'darwin' ? 'apple' : '', architecture: '', description: platform === 'darwin' ? 'Metal GPU' : 'D3D12 GPU', fallback: false }, software: null };
}
