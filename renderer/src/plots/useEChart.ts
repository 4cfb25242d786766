import { BarChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { BrushComponent, DataZoomComponent, GraphicComponent, GridComponent, LegendComponent, MarkLineComponent, ParallelComponent, TitleComponent, ToolboxComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef, type RefObject } from 'react';

echarts.use([LineChart, ScatterChart, BarChart, ParallelChart, ParallelComponent, MarkLineComponent, GridComponent, TitleComponent, TooltipComponent, LegendComponent, DataZoomComponent, BrushComponent, ToolboxComponent, GraphicComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;
export type EChart = echarts.ECharts;

/**
 * One echarts instance per element, resized with it, updated in place as the option changes.
 * `onInit` wires events to the instance once (and may return their teardown).
 */
export function useEChart(option: ChartOption, onInit?: (chart: echarts.ECharts) => (() => void) | void): RefObject<HTMLDivElement | null> {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const init = useRef(onInit);
  init.current = onInit;
  useEffect(() => {
    const el = ref.current!;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    const teardown = init.current?.(instance);
    return () => {
      teardown?.();
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: false, lazyUpdate: true, replaceMerge: ['series'] });
  }, [option]);
  return ref;
}

export const AXIS_STYLE = {
  axisLine: { lineStyle: { color: '#3a4350' } },
  axisLabel: { color: '#8b95a3', fontSize: 11 },
  splitLine: { lineStyle: { color: '#222933' } },
  nameTextStyle: { color: '#8b95a3', fontSize: 11 },
};

/** Ten colours that stay distinct on the dark background (Tableau 10, brightened). */
export const CLASS_COLORS = ['#5aa9e6', '#ff9f40', '#5cc97b', '#ef5b5b', '#b392f0', '#c49a6c', '#f28fcf', '#a0a8b3', '#d6d65a', '#4fd1c5'];
