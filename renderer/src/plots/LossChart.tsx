import { useEffect, useMemo, useState } from 'react';
import type { EpochSeries } from '../store/trainingReducer';
import { AXIS_STYLE, useEChart } from './useEChart';

/** The loss terms a graph can have, each drawn on its own when the run reports it as more than zero. */
export const LOSS_TERM_SERIES = [
  { key: 'recon_loss', label: 'reconstruction', color: '#5cc97b' },
  { key: 'kl_loss', label: 'KL', color: '#b392f0' },
  { key: 'sparsity_loss', label: 'sparsity', color: '#ff9f40' },
] as const;

/** The terms worth a line of their own: more than one term is present and this one is not always zero. */
export function visibleTerms(metrics: EpochSeries): (typeof LOSS_TERM_SERIES)[number][] {
  const present = LOSS_TERM_SERIES.filter((t) => (metrics[t.key] ?? []).some(([, v]) => v !== 0) || (metrics[`val_${t.key}`] ?? []).some(([, v]) => v !== 0));
  // With the reconstruction as the only term, its line would lie on the total's.
  return present.length > 1 ? present : [];
}

/** The learning rate per epoch, when it changes over the run (a schedule or a warm-up): a flat line says nothing the stats do not. */
export function scheduledRate(metrics: EpochSeries): [number, number][] {
  const lr = metrics.lr ?? [];
  return lr.some(([, v]) => v !== lr[0]![1]) ? lr : [];
}

const formatRate = (v: number) => (v === 0 ? '0' : v.toExponential(1));

/** Below this height (px) the value axis holds three values rather than six: echarts keeps six however short. */
const SHORT_CHART = 150;

export function LossChart({ batchLoss, epochMetrics, epochs }: { batchLoss: [number, number][]; epochMetrics: EpochSeries; epochs: number }) {
  const terms = useMemo(() => visibleTerms(epochMetrics), [epochMetrics]);
  const rate = useMemo(() => scheduledRate(epochMetrics), [epochMetrics]);
  const [short, setShort] = useState(false);
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 48, right: rate.length ? 52 : 16, top: terms.length ? 46 : 28, bottom: 30 },
      legend: { top: 0, right: 8, textStyle: { color: '#c3cad4', fontSize: 11 }, itemHeight: 8, itemGap: 10 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => (typeof v !== 'number' ? String(v) : v !== 0 && Math.abs(v) < 1e-2 ? v.toExponential(2) : v.toFixed(4)) },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 20, min: 0, max: Math.max(epochs, 1), ...AXIS_STYLE },
      // A log scale keeps a small term (KL, sparsity) readable beside the reconstruction; a short chart
      // (a small window's Design view) has fewer values on it, so they never overlap.
      yAxis: [
        { type: terms.length ? 'log' : 'value', scale: true, ...AXIS_STYLE, splitNumber: short ? 2 : 5, axisLabel: { ...AXIS_STYLE.axisLabel, formatter: (v: number) => String(Number(v.toPrecision(3))) } },
        // The schedule's learning rate on its own axis at the right, from 0, without grid lines of its own.
        ...(rate.length ? [{ type: 'value', min: 0, position: 'right', ...AXIS_STYLE, splitLine: { show: false }, splitNumber: 2, axisLabel: { ...AXIS_STYLE.axisLabel, formatter: formatRate } }] : []),
      ],
      series: [
        { name: 'train (batch)', type: 'line', data: batchLoss, showSymbol: false, lineStyle: { width: 1.5 }, color: '#5aa9e6' },
        { name: 'validation', type: 'line', data: epochMetrics.val_loss ?? [], symbolSize: 7, lineStyle: { width: 2 }, color: '#f0b429' },
        ...terms.flatMap((t) => [
          { name: `${t.label} (train)`, type: 'line', data: (epochMetrics[t.key] ?? []).filter(([, v]) => v > 0), symbolSize: 5, lineStyle: { width: 1.5 }, color: t.color },
          { name: `${t.label} (val)`, type: 'line', data: (epochMetrics[`val_${t.key}`] ?? []).filter(([, v]) => v > 0), symbolSize: 5, lineStyle: { width: 1.5, type: 'dashed' }, color: t.color },
        ]),
        ...(rate.length ? [{ name: 'learning rate', type: 'line', yAxisIndex: 1, data: rate, symbolSize: 4, lineStyle: { width: 1.5, type: 'dotted' }, color: '#8b95a3' }] : []),
      ],
    }),
    [batchLoss, epochMetrics, epochs, terms, rate, short],
  );
  const ref = useEChart(option);
  useEffect(() => {
    const observer = new ResizeObserver(([entry]) => setShort((entry?.contentRect.height ?? SHORT_CHART) < SHORT_CHART));
    observer.observe(ref.current!);
    return () => observer.disconnect();
  }, [ref]);
  const valPoints = (epochMetrics.val_loss ?? []).length;
  return (
    <div
      ref={ref}
      className="chart"
      data-testid="loss-chart"
      data-point-count={batchLoss.length + valPoints}
      data-val-point-count={valPoints}
      data-terms={terms.map((t) => t.key).join(',')}
      data-lr-point-count={rate.length}
    />
  );
}
