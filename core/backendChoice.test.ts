import { describe, expect, it } from 'vitest';
import type { BackendInfo } from './api';
import { gpuFallback } from './backendChoice';

const cpu: BackendInfo = { name: 'cpu', skipped: [{ name: 'cuda', reason: 'not installed' }, { name: 'webgpu', reason: 'no GPU adapter (install libvulkan1)' }, { name: 'threads', reason: 'not a provider' }] };
const gpu: BackendInfo = { name: 'webgpu', skipped: [], adapter: { vendor: 'nvidia', architecture: 'ampere', description: 'RTX 3080', fallback: false } };

describe('a GPU chosen where there is none', () => {
  it("says the backend fell back, with the GPU backends' reasons only", () => {
    expect(gpuFallback('gpu', cpu)).toBe('no GPU could be used, so it trains on cpu (the CPU). cuda: not installed; webgpu: no GPU adapter (install libvulkan1)');
  });

  it('says nothing when the GPU trains, or when no GPU was asked for', () => {
    expect(gpuFallback('gpu', gpu)).toBeNull();
    expect(gpuFallback('auto', cpu)).toBeNull();
    expect(gpuFallback('cpu', cpu)).toBeNull();
    expect(gpuFallback('gpu', null)).toBeNull();
  });

  it('counts a software adapter as no GPU', () => {
    const swiftShader: BackendInfo = { name: 'webgpu', skipped: [], adapter: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader', fallback: true } };
    expect(gpuFallback('gpu', swiftShader)).toMatch(/software adapter \(SwiftShader\)/);
  });
});
