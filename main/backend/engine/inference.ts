/**
 * A trained model for use (Explore, Anomalies, the Lab, encode, score): its encoder and decoder as
 * the ONNX export writes them (core/export/onnx.ts, the checkpoint's weights as initializers), run
 * in ONNX Runtime on the CPU with threads that do not spin, so a run training beside it keeps its
 * cores. The autoencoder is the encoder then the decoder (for a VAE, through the mean).
 */
import { native } from './nativeGate';
import * as ort from 'onnxruntime-node';
import { exportOnnx, ONNX_NAMES } from '../../../core/export/onnx';
import type { GraphDoc } from '../../../core/graph/types';
import type { SavedTensor } from '../../../core/train/state';
import { cpuThreads, options, providerError } from './providers';

export class InferenceModels {
  private constructor(
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
    readonly imageShape: readonly [number, number, number],
    readonly codeSize: number,
  ) {}

  /** Compiles `doc` with `weights`; a graph or checkpoint that cannot be exported throws naming the block. */
  static async load(doc: GraphDoc, weights: readonly SavedTensor[], imageShape: readonly [number, number, number], codeSize: number): Promise<InferenceModels> {
    const models = exportOnnx(doc, weights);
    const opts = options('cpu', cpuThreads(), false);
    const [encoder, decoder] = await Promise.all([native(() => ort.InferenceSession.create(models.encoder, opts)), native(() => ort.InferenceSession.create(models.decoder, opts))]).catch((err) => {
      throw new Error(`the model could not be loaded: ${providerError(err)}`);
    });
    return new InferenceModels(encoder, decoder, imageShape, codeSize);
  }

  /** Codes ([count, codeSize]) of images ([count, h, w, c] in [0, 1]). */
  async encode(images: Float32Array, count: number): Promise<Float32Array> {
    const out = await native(() => this.encoder.run({ [ONNX_NAMES.image]: new ort.Tensor('float32', images.subarray(0, count * this.imageShape.reduce((a, b) => a * b, 1)), [count, ...this.imageShape]) }));
    return out[ONNX_NAMES.code]!.data as Float32Array;
  }

  /** Images ([count, h, w, c], in the output's range) decoded from codes ([count, codeSize]). */
  async decode(codes: Float32Array, count: number): Promise<Float32Array> {
    const out = await native(() => this.decoder.run({ [ONNX_NAMES.code]: new ort.Tensor('float32', codes.subarray(0, count * this.codeSize), [count, this.codeSize]) }));
    return out[ONNX_NAMES.reconstruction]!.data as Float32Array;
  }

  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}
