import { useMemo } from 'react';
import type { LatentProjection } from '../../../core/train/events';
import { AXIS_STYLE, CLASS_COLORS, useEChart } from './useEChart';

export function LatentScatter({ latent, classNames }: { latent: LatentProjection | null; classNames: string[] }) {
  const option = useMemo(() => {
    const byClass = classNames.map(() => [] as [number, number][]);
    if (latent) {
      latent.labels.forEach((label, i) => byClass[label]?.push([latent.x[i]!, latent.y[i]!]));
    }
    const axisName = (k: 0 | 1) =>
      latent?.method === 'pca' ? `PC${k + 1}${latent.explained ? ` (${Math.round(latent.explained[k] * 100)}%)` : ''}` : `z${k + 1}`;
    return {
      animation: false,
      grid: { left: 24, right: 104, top: 8, bottom: 28 },
      legend: { right: 0, top: 'middle', orient: 'vertical', itemGap: 6, textStyle: { color: '#c3cad4', fontSize: 11 }, itemWidth: 9, itemHeight: 9 },
      tooltip: { trigger: 'item', formatter: (p: { seriesName: string }) => p.seriesName },
      xAxis: { type: 'value', name: axisName(0), nameLocation: 'middle', nameGap: 22, scale: true, ...AXIS_STYLE, axisLabel: { show: false } },
      yAxis: { type: 'value', name: axisName(1), nameLocation: 'middle', nameGap: 8, scale: true, ...AXIS_STYLE, axisLabel: { show: false } },
      series: classNames.map((name, c) => ({
        name,
        type: 'scatter',
        data: byClass[c],
        symbolSize: 4,
        itemStyle: { color: CLASS_COLORS[c % CLASS_COLORS.length], opacity: 0.8 },
        large: true,
      })),
    };
  }, [latent, classNames]);
  const ref = useEChart(option);
  return <div ref={ref} className="chart" data-testid="latent-scatter" data-point-count={latent?.x.length ?? 0} data-classes={classNames.join("|")} data-method={latent?.method ?? ''} />;
}
