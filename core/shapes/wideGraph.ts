import type { GraphDoc } from '../graph/types';
import { chainGraph } from '../templates/undercomplete';

/**
 * For tests of the memory guard: a dense autoencoder on a `side`×`side`×`channels` image with one
 * hidden layer of `units` (wide(256, 1, 65_536) has 4.3 billion parameters, wide(128, 3, 12_950) 640 million).
 */
export function wideGraph(side: number, channels: number, units: number): GraphDoc {
  const pixels = side * side * channels;
  return chainGraph('Wide', [
    { kind: 'Input', params: { height: side, width: side, channels } },
    { kind: 'Flatten' },
    { kind: 'Dense', params: { units, activation: 'relu' } },
    { kind: 'Bottleneck', params: { latentSize: 32, activation: 'linear' } },
    { kind: 'Dense', params: { units: 64, activation: 'relu' } },
    { kind: 'Dense', params: { units: pixels, activation: 'sigmoid' } },
    { kind: 'Reshape', params: { targetShape: [side, side, channels] } },
    { kind: 'Output', params: { loss: 'bce' } },
  ]);
}
