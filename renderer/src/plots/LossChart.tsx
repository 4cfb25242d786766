import { useMemo } from 'react';
import { AXIS_STYLE, useEChart } from './useEChart';

export function LossChart({ batchLoss, valLoss, epochs }: { batchLoss: [number, number][]; valLoss: [number, number][]; epochs: number }) {
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 48, right: 16, top: 28, bottom: 30 },
      legend: { top: 0, right: 8, textStyle: { color: '#c3cad4', fontSize: 11 }, itemHeight: 8 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => (typeof v === 'number' ? v.toFixed(4) : String(v)) },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 20, min: 0, max: Math.max(epochs, 1), ...AXIS_STYLE },
      yAxis: { type: 'value', name: 'loss', scale: true, ...AXIS_STYLE, axisLabel: { ...AXIS_STYLE.axisLabel, formatter: (v: number) => String(Number(v.toPrecision(3))) } },
      series: [
        { name: 'train (batch)', type: 'line', data: batchLoss, showSymbol: false, lineStyle: { width: 1.5 }, color: '#5aa9e6' },
        { name: 'validation', type: 'line', data: valLoss, symbolSize: 7, lineStyle: { width: 2 }, color: '#f0b429' },
      ],
    }),
    [batchLoss, valLoss, epochs],
  );
  const ref = useEChart(option);
  return <div ref={ref} className="chart" data-testid="loss-chart" data-point-count={batchLoss.length + valLoss.length} data-val-point-count={valLoss.length} />;
}
