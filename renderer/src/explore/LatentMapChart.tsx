import { useEffect, useMemo, useRef } from 'react';
import type { LatentMap } from '../../../core/api';
import { liftPoint, projectCode } from '../../../core/latent/pca';
import { imageDataUrl } from '../plots/images';
import { useEChart, type EChart } from '../plots/useEChart';
import { positionOf, type MapMark } from '../store/exploreSlice';
import { latentMapOption, OVERLAYS } from './latentMapOption';

/** What the pointer does on the map: pick one image, or drag a box or a lasso around many. */
export type MapTool = 'pick' | 'box' | 'lasso';

/** What is under the pointer: a point (an image, by validation index), a place of a map with an inverse, or nothing to show. */
export type MapHover = { kind: 'point'; index: number } | { kind: 'place'; code: number[]; at: [number, number] };

interface Props {
  map: LatentMap;
  classNames: string[];
  marks: MapMark[];
  /** The images picked with the box or lasso (validation indices), ringed on whichever map is shown. */
  selection: number[];
  tool: MapTool;
  onPick(index: number): void;
  onBrush(indices: number[]): void;
  /** A box or lasso has been drawn: the view goes back to Pick, so hovering and clicking work again. */
  onBrushEnd(): void;
  onHover(hover: MapHover): void;
}


/**
 * The validation images as points of the latent map: hover shows the image, click picks it, the box and
 * lasso pick many, and moving over empty space asks for the image decoded there (where the map has an
 * inverse: PCA or a 2-D code). Mount one per map: a box or lasso belongs to the map it was drawn on,
 * and the selection it made is then shown on the next map by its images.
 */
export function LatentMapChart({ map, classNames, marks, selection, tool, onPick, onBrush, onBrushEnd, onHover }: Props) {
  const handlers = useRef({ onPick, onBrush, onBrushEnd, onHover, map, tool, marks });
  handlers.current = { onPick, onBrush, onBrushEnd, onHover, map, tool, marks };
  const tooltips = useMemo(() => new Map<number, string>(), [map]);
  const chartRef = useRef<EChart | null>(null);
  /** Boxes or lassos drawn on this map (echarts keeps them until cleared). */
  const areas = useRef(0);
  /**
   * Set when a box or lasso has been drawn: the selection it reports next is taken, once. Echarts also
   * reports selections while one is being drawn (debounced) and an empty one when the tool is taken
   * up, which would clear a selection made on another map.
   */
  const brushed = useRef(false);
  const selected = useMemo(() => selection.map((index) => positionOf(map, index)).filter((p) => p >= 0), [map, selection]);

  const option = useMemo(() => {
    const tooltip = (p: { value: [number, number, number] }) => {
      const position = p.value[2];
      let html = tooltips.get(position);
      if (!html) {
        const m = handlers.current.map;
        const label = classNames[m.labels[position]!] ?? `class ${m.labels[position]}`;
        const file = m.files?.[position];
        html = `<div class="map-tip"><img src="${imageDataUrl(m.images, position)}" width="84" height="84" alt=""/><div><b>${escapeHtml(label)}</b> #${m.indices[position]}<br/>error ${m.errors[position]!.toFixed(4)}${file ? `<br/><span class="muted">${escapeHtml(file)}</span>` : ''}</div></div>`;
        tooltips.set(position, html);
      }
      return html;
    };
    return latentMapOption(map, classNames, marks, selected, tooltip);
  }, [map, classNames, marks, selected, tooltips]);

  const ref = useEChart(option, (chart: EChart) => {
    chartRef.current = chart;
    /** The image (validation index) or code under a pointer event: a point, or a pin's. */
    const target = (params: unknown): { index: number } | { code: number[] } | null => {
      const { value, seriesName, dataIndex } = params as { value?: unknown; seriesName?: string; dataIndex?: number };
      if (seriesName === 'marks') return handlers.current.marks[dataIndex ?? -1]?.what ?? null;
      if (seriesName && OVERLAYS.has(seriesName)) return null;
      return Array.isArray(value) && typeof value[2] === 'number' && value[2] >= 0 ? { index: handlers.current.map.indices[value[2]]! } : null;
    };
    chart.on('click', (params) => {
      const what = target(params);
      if (handlers.current.tool === 'pick' && what && 'index' in what) handlers.current.onPick(what.index);
    });
    chart.on('mouseover', (params) => {
      const what = target(params);
      if (!what) return;
      const { map: m } = handlers.current;
      if ('index' in what) handlers.current.onHover({ kind: 'point', index: what.index });
      else if (m.plane) handlers.current.onHover({ kind: 'place', code: what.code, at: projectCode(m.plane, what.code) });
    });
    chart.on('brush', (params) => {
      const drawn = (params as { areas?: unknown[] }).areas;
      if (!drawn) return;
      areas.current = drawn.length;
      chart.getDom().dataset.brushAreas = String(areas.current);
    });
    chart.on('brushEnd', () => {
      brushed.current = true;
      // Asks echarts for the selection of the areas as drawn (a brush action without areas keeps them).
      chart.dispatchAction({ type: 'brush' });
      handlers.current.onBrushEnd();
    });
    chart.on('brushSelected', (params) => {
      if (!brushed.current) return;
      brushed.current = false;
      const batch = (params as { batch: { selected: { seriesIndex: number; dataIndex: number[] }[] }[] }).batch[0];
      const option = chart.getOption() as { series: { name: string; data: [number, number, number][] }[] };
      const m = handlers.current.map;
      const indices: number[] = [];
      for (const sel of batch?.selected ?? []) {
        const series = option.series[sel.seriesIndex];
        if (!series || OVERLAYS.has(series.name)) continue;
        for (const i of sel.dataIndex) indices.push(m.indices[series.data[i]![2]]!);
      }
      handlers.current.onBrush(indices.sort((a, b) => a - b));
    });
    // Where some points and the marks are drawn, in pixels of the chart: what a pointer must reach
    // (the e2e tests move the mouse there, as a user aims at a visible dot or pin).
    chart.on('finished', () => {
      const m = handlers.current.map;
      const el = chart.getDom();
      const pixel = (x: number, y: number) => (chart.convertToPixel({ gridIndex: 0 }, [x, y]) as [number, number]).map(Math.round) as [number, number];
      const spots: [number, number, number][] = [];
      for (let i = 0; i < Math.min(m.x.length, 12); i++) spots.push([...pixel(m.x[i]!, m.y[i]!), m.indices[i]!]);
      el.dataset.spots = JSON.stringify(spots);
      el.dataset.marks = JSON.stringify(handlers.current.marks.map((mark) => [mark.label, ...pixel(mark.at[0], mark.at[1])]));
    });
    const zr = chart.getZr();
    const onMove = (e: { offsetX: number; offsetY: number; target?: unknown }) => {
      const { map: m, onHover: hover } = handlers.current;
      // Over a point its own image shows (the mouseover above); off the points, the image decoded there where the map can be inverted.
      if (e.target || !m.plane || !chart.containPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY])) return;
      const [x, y] = chart.convertFromPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY]) as [number, number];
      hover({ kind: 'place', code: Array.from(liftPoint(m.plane, x, y)), at: [x, y] });
    };
    zr.on('mousemove', onMove);
    return () => {
      zr.off('mousemove', onMove);
      chartRef.current = null;
    };
  });
  // The tool: echarts' own brush, taken and released as the buttons above the map are pressed.
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    chart.dispatchAction({ type: 'takeGlobalCursor', key: 'brush', brushOption: tool === 'pick' ? { brushType: false } : { brushType: tool === 'box' ? 'rect' : 'polygon', brushMode: 'single' } });
  }, [tool]);
  // A selection cleared (by the button) clears the box or lasso that made it.
  const hadSelection = useRef(selection.length > 0);
  useEffect(() => {
    if (hadSelection.current && selection.length === 0 && areas.current > 0) chartRef.current?.dispatchAction({ type: 'brush', areas: [] });
    hadSelection.current = selection.length > 0;
  }, [selection]);

  return <div ref={ref} className="chart explore__map" data-testid="explore-map" data-point-count={map.x.length} data-method={map.method} data-selection-shown={selected.length} data-tool={tool} data-brush-areas="0" />;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
