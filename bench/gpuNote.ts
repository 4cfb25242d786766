/**
 * One line for the device bundle's log (bench/deviceRun.sh runs it as gpuNote.cjs before the
 * bench): the GPUs main/backend/engine/gpuInfo.ts reads from the operating system, and the one
 * the WebGPU provider would be given, or why there is none. Loads no GPU library.
 */
import { linuxGpus, webgpuAdapter } from '../main/backend/engine/gpuInfo';
import { adapterOf } from './policy';

const found = webgpuAdapter();
const gpus = linuxGpus().map((adapter) => adapterOf({ adapter }));
console.log(`GPU (gpuInfo): ${'none' in found ? found.none : `webgpu would use ${adapterOf(found)}`}${gpus.length ? `; hardware: ${gpus.join(', ')}` : ''}`);
