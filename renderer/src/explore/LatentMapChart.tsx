import { useMemo, useRef } from 'react';
import type { LatentMap } from '../../../core/api';
import { liftPoint } from '../../../core/latent/pca';
import { imageDataUrl } from '../plots/images';
import { AXIS_STYLE, CLASS_COLORS, useEChart, type EChart } from '../plots/useEChart';

export interface MapMark {
  label: string;
  at: [number, number];
  color: string;
}

interface Props {
  map: LatentMap;
  classNames: string[];
  marks: MapMark[];
  onPick(position: number): void;
  onBrush(positions: number[]): void;
  /** The pointer over empty space: the code there (lifted through the map's plane), or null when it leaves. */
  onHoverCode(hover: { code: number[]; at: [number, number] } | null): void;
}

/** Above this many points echarts draws them in its large mode (one path per series). */
const LARGE = 5000;

/**
 * The validation images as points of the latent map: hover shows the image, click picks it, the box and
 * lasso pick many, and moving over empty space asks for the image decoded there (where the map has an
 * inverse: PCA or a 2-D code).
 */
export function LatentMapChart({ map, classNames, marks, onPick, onBrush, onHoverCode }: Props) {
  const handlers = useRef({ onPick, onBrush, onHoverCode, map });
  handlers.current = { onPick, onBrush, onHoverCode, map };
  const tooltips = useMemo(() => new Map<number, string>(), [map]);

  const option = useMemo(() => {
    const byClass = classNames.map(() => [] as [number, number, number][]);
    const other: [number, number, number][] = [];
    map.labels.forEach((label, i) => (byClass[label] ?? other).push([map.x[i]!, map.y[i]!, i]));
    const large = map.x.length > LARGE;
    const axisName = (k: 0 | 1) => (map.method === 'pca' ? (map.raw ? `z${k + 1}` : `PC${k + 1}`) : map.method === 'umap' ? `UMAP ${k + 1}` : `t-SNE ${k + 1}`);
    const tooltip = (p: { value: [number, number, number] }) => {
      const position = p.value[2];
      let html = tooltips.get(position);
      if (!html) {
        const m = handlers.current.map;
        const label = classNames[m.labels[position]!] ?? `class ${m.labels[position]}`;
        const file = m.files?.[position];
        html = `<div class="map-tip"><img src="${imageDataUrl(m.images, position)}" width="84" height="84" alt=""/><div><b>${escapeHtml(label)}</b><br/>error ${m.errors[position]!.toFixed(4)}${file ? `<br/><span class="muted">${escapeHtml(file)}</span>` : ''}</div></div>`;
        tooltips.set(position, html);
      }
      return html;
    };
    return {
      animation: false,
      grid: { left: 36, right: 120, top: 36, bottom: 36 },
      legend: { data: classNames, right: 0, top: 'middle', orient: 'vertical', itemGap: 6, textStyle: { color: '#c3cad4', fontSize: 11 }, itemWidth: 9, itemHeight: 9 },
      tooltip: { trigger: 'item', confine: true, formatter: tooltip, backgroundColor: '#1c222b', borderColor: '#2a313c', padding: 6, textStyle: { color: '#e6eaf0' } },
      toolbox: {
        right: 8,
        top: 0,
        itemSize: 15,
        iconStyle: { borderColor: '#8b95a3' },
        feature: { brush: { type: ['rect', 'polygon', 'clear'], title: { rect: 'Box select', polygon: 'Lasso select', clear: 'Clear selection' } } },
      },
      brush: { toolbox: ['rect', 'polygon', 'clear'], seriesIndex: 'all', throttleType: 'debounce', throttleDelay: 200, outOfBrush: { colorAlpha: 0.15 } },
      xAxis: { type: 'value', name: axisName(0), nameLocation: 'middle', nameGap: 22, scale: true, ...AXIS_STYLE, axisLabel: { show: false } },
      yAxis: { type: 'value', name: axisName(1), nameLocation: 'middle', nameGap: 12, scale: true, ...AXIS_STYLE, axisLabel: { show: false } },
      series: [
        ...classNames.map((name, c) => ({
          name,
          type: 'scatter',
          data: byClass[c],
          symbolSize: large ? 3 : 6,
          itemStyle: { color: CLASS_COLORS[c % CLASS_COLORS.length], opacity: 0.85 },
          emphasis: { scale: 2 },
          large,
        })),
        ...(other.length ? [{ name: 'other', type: 'scatter', data: other, symbolSize: 5, itemStyle: { color: '#8b95a3' } }] : []),
        {
          name: 'marks',
          type: 'scatter',
          data: marks.map((m) => ({ value: [...m.at, -1], itemStyle: { color: m.color }, label: { show: true, formatter: m.label, position: 'top', color: m.color, fontWeight: 'bold' } })),
          symbol: 'pin',
          symbolSize: 26,
          z: 10,
          silent: true,
          tooltip: { show: false },
        },
      ],
    };
  }, [map, classNames, marks, tooltips]);

  const ref = useEChart(option, (chart: EChart) => {
    chart.on('click', (params) => {
      const value = (params as { value?: unknown }).value;
      if (Array.isArray(value) && typeof value[2] === 'number' && value[2] >= 0) handlers.current.onPick(value[2]);
    });
    chart.on('brushSelected', (params) => {
      const batch = (params as { batch: { selected: { seriesIndex: number; dataIndex: number[] }[] }[] }).batch[0];
      const option = chart.getOption() as { series: { name: string; data: [number, number, number][] }[] };
      const positions: number[] = [];
      for (const sel of batch?.selected ?? []) {
        const series = option.series[sel.seriesIndex];
        if (!series || series.name === 'marks') continue;
        for (const i of sel.dataIndex) positions.push(series.data[i]![2]);
      }
      handlers.current.onBrush(positions);
    });
    // Where some points are drawn, in page pixels of the chart: what a pointer must reach to hover one
    // (the e2e tests move the mouse there, as a user aims at a visible dot).
    chart.on('finished', () => {
      const m = handlers.current.map;
      const el = chart.getDom();
      const spots: [number, number, number][] = [];
      for (let i = 0; i < Math.min(m.x.length, 12); i++) {
        const [px, py] = chart.convertToPixel({ gridIndex: 0 }, [m.x[i]!, m.y[i]!]) as [number, number];
        spots.push([Math.round(px), Math.round(py), i]);
      }
      el.dataset.spots = JSON.stringify(spots);
    });
    const zr = chart.getZr();
    const onMove = (e: { offsetX: number; offsetY: number; target?: unknown }) => {
      const { map: m, onHoverCode: hover } = handlers.current;
      // Over a point the tooltip shows that image; off the points, the image decoded at the pointer.
      if (e.target || !m.plane || !chart.containPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY])) {
        hover(null);
        return;
      }
      const [x, y] = chart.convertFromPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY]) as [number, number];
      hover({ code: Array.from(liftPoint(m.plane, x, y)), at: [x, y] });
    };
    const onOut = () => handlers.current.onHoverCode(null);
    zr.on('mousemove', onMove);
    zr.on('globalout', onOut);
    return () => {
      zr.off('mousemove', onMove);
      zr.off('globalout', onOut);
    };
  });

  return <div ref={ref} className="chart explore__map" data-testid="explore-map" data-point-count={map.x.length} data-method={map.method} />;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
