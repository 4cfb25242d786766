import { defineConfig } from 'vitest/config';
import { swiftShaderForTests } from './main/backend/engine/swiftShader.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** SwiftShader's Vulkan ICD for the webgpu tests, or why they skip (main/backend/engine/testWebgpu.ts). */
    webgpuTests: { icd: string } | { skip: string };
  }
}

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'main/**/*.test.ts', 'preload/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Training tests are CPU-bound: one file at a time keeps them from starving each other on 2 cores.
    fileParallelism: false,
    provide: { webgpuTests: swiftShaderForTests() },
  },
});
