import { describe, expect, it } from 'vitest';
import { testLatentMap } from '../../../core/latent/testMap';
import { latentMapOption } from './latentMapOption';

const map = testLatentMap({ x: [1, 2, 3], y: [4, 5, 6], labels: [0, 1, 0], indices: [7, 8, 9] });

type Axis = { name: string; axisLabel: { show: boolean }; axisTick: { show: boolean } };
type Series = { id: string; name: string; data: unknown[] };

describe('the latent map chart', () => {
  it('has axes with ticks and their values, named after the projection', () => {
    const option = latentMapOption(map, ['a', 'b'], [], [], () => '') as { xAxis: Axis; yAxis: Axis };
    for (const [axis, name] of [[option.xAxis, 'UMAP 1'], [option.yAxis, 'UMAP 2']] as const) {
      expect(axis).toMatchObject({ name, axisLabel: { show: true }, axisTick: { show: true } });
    }
  });

  it('rings the selected points and pins the marks, each series with its own id', () => {
    const option = latentMapOption(map, ['a', 'b'], [{ label: 'A', at: [2, 5], color: '#fff', what: { index: 8 } }], [0, 2], () => '') as { series: Series[] };
    const ids = option.series.map((s) => s.id);
    expect(ids).toEqual(['class-0', 'class-1', 'selection', 'marks']);
    expect(option.series.find((s) => s.id === 'class-0')!.data).toEqual([[1, 4, 0], [3, 6, 2]]);
    expect(option.series.find((s) => s.id === 'selection')!.data).toEqual([[1, 4, -1], [3, 6, -1]]);
    expect(option.series.find((s) => s.id === 'marks')!.data).toMatchObject([{ value: [2, 5, -1] }]);
  });
});
