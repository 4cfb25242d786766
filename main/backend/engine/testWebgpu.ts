/**
 * For tests: the WebGPU provider on SwiftShader. The vitest config says whether the driver and the
 * Vulkan loader are installed; where they are, a failure to start fails the test.
 */
import { inject } from 'vitest';

/** The ICD file to point Vulkan at, or why the webgpu tests skip here. */
export function swiftShader(): { icd: string } | { skip: string } {
  return inject('webgpuTests');
}

/** A test name that says why it skips, where it does. */
export function webgpuTestName(name: string): string {
  const setup = swiftShader();
  return 'skip' in setup ? `${name} (skipped: ${setup.skip})` : name;
}

export const noSwiftShader = 'skip' in swiftShader();

/** Points Vulkan at SwiftShader for this process and the workers and children it starts; call only where it is installed. */
export function pointVulkanAtSwiftShader(): void {
  const setup = swiftShader();
  if ('skip' in setup) throw new Error(setup.skip);
  process.env.VK_ICD_FILENAMES = setup.icd;
}
