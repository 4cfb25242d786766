import type { LatentMap } from '../../../core/api';
import { AXIS_STYLE, CLASS_COLORS, type ChartOption } from '../plots/useEChart';
import type { MapMark } from '../store/exploreSlice';

/** Above this many points echarts draws them in its large mode (one path per series). */
const LARGE = 5000;
/** Series that are drawn over the points and are not points themselves (a box or lasso selects none of them). */
export const OVERLAYS = new Set(['marks', 'selection']);

/**
 * The latent map as an echarts option: one series per class (each point's value is [x, y, position]),
 * the selected points ringed, the marks pinned, axes with ticks. Every series has an id, so an update
 * keeps the series echarts is handling a pointer event on (a replaced one throws in its handlers).
 */
export function latentMapOption(map: LatentMap, classNames: string[], marks: MapMark[], selected: number[], tooltip: (p: { value: [number, number, number] }) => string): ChartOption {
  const byClass = classNames.map(() => [] as [number, number, number][]);
  const other: [number, number, number][] = [];
  map.labels.forEach((label, i) => (byClass[label] ?? other).push([map.x[i]!, map.y[i]!, i]));
  const large = map.x.length > LARGE;
  const axisName = (k: 0 | 1) => (map.method === 'pca' ? (map.raw ? `z${k + 1}` : `PC${k + 1}`) : map.method === 'umap' ? `UMAP ${k + 1}` : `t-SNE ${k + 1}`);
  const axis = (k: 0 | 1) => ({
    type: 'value',
    name: axisName(k),
    nameLocation: 'middle',
    nameGap: k === 0 ? 24 : 38,
    scale: true,
    ...AXIS_STYLE,
    axisLabel: { ...AXIS_STYLE.axisLabel, show: true, fontSize: 10 },
    axisTick: { show: true, lineStyle: { color: '#3a4350' } },
  });
  return {
    animation: false,
    grid: { left: 52, right: 120, top: 16, bottom: 40 },
    legend: { data: classNames, right: 0, top: 'middle', orient: 'vertical', itemGap: 6, textStyle: { color: '#c3cad4', fontSize: 11 }, itemWidth: 9, itemHeight: 9 },
    tooltip: { trigger: 'item', confine: true, formatter: tooltip, backgroundColor: '#1c222b', borderColor: '#2a313c', padding: 6, textStyle: { color: '#e6eaf0' } },
    // The tools are the view's own buttons (Pick, Box, Lasso), not echarts' icons.
    toolbox: { show: false },
    brush: { toolbox: [], seriesIndex: 'all', throttleType: 'debounce', throttleDelay: 200, outOfBrush: { colorAlpha: 0.15 }, brushStyle: { borderWidth: 1, color: 'rgba(240,180,41,0.08)', borderColor: '#f0b429' } },
    xAxis: axis(0),
    yAxis: axis(1),
    series: [
      ...classNames.map((name, c) => ({
        id: `class-${c}`,
        name,
        type: 'scatter',
        data: byClass[c],
        symbolSize: large ? 3 : 6,
        itemStyle: { color: CLASS_COLORS[c % CLASS_COLORS.length], opacity: 0.85 },
        emphasis: { scale: 2 },
        large,
      })),
      ...(other.length ? [{ id: 'other', name: 'other', type: 'scatter', data: other, symbolSize: 5, itemStyle: { color: '#8b95a3' } }] : []),
      {
        id: 'selection',
        name: 'selection',
        type: 'scatter',
        data: selected.map((p) => [map.x[p]!, map.y[p]!, -1]),
        symbolSize: large ? 6 : 10,
        itemStyle: { color: 'rgba(0,0,0,0)', borderColor: '#ffffff', borderWidth: 1.5 },
        z: 5,
        silent: true,
        large: selected.length > LARGE,
        tooltip: { show: false },
      },
      {
        id: 'marks',
        name: 'marks',
        type: 'scatter',
        data: marks.map((m) => ({ value: [...m.at, -1], itemStyle: { color: m.color }, label: { show: true, formatter: m.label, position: 'top', color: m.color, fontWeight: 'bold' } })),
        symbol: 'pin',
        symbolSize: 26,
        // The pin's tip, not its middle, on the point; hovering a pin shows what it marks (in the view).
        symbolOffset: [0, '-50%'],
        z: 10,
        tooltip: { show: false },
      },
    ],
  };
}
