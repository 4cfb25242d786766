import { useMemo, useRef, useState } from 'react';
import type { ExperimentDetail, ExperimentRunRow, OneClassResult } from '../../../core/api';
import { formatAuc, normalClassOf } from '../../../core/experiments/oneClass';
import type { PlannedSetting } from '../../../core/experiments/plan';
import type { RunResult } from '../../../core/experiments/results';
import { formatValue } from '../../../core/experiments/settings';
import { formatDuration } from '../../../core/format';
import { useApp, useAppStore } from '../store/context';
import { AXIS_STYLE, useEChart, type EChart } from '../plots/useEChart';
import { Tile } from '../plots/ReconGrid';

/** A metric of a run the chart can draw, and how to read it. */
const METRICS = {
  best: { label: 'best validation loss', of: (r: ExperimentRunRow, res?: RunResult) => res?.bestValLoss ?? null },
  /** A one-class study's: the run's ROC AUC of the other classes against its own. */
  auc: { label: 'AUC (one-class)', of: (r: ExperimentRunRow, _res?: RunResult, study?: OneClassResult | null) => study?.scores.find((x) => x.runId === r.runId)?.auc ?? null },
  final: { label: 'final validation loss', of: (r: ExperimentRunRow, res?: RunResult) => res?.finalTerms.val_loss ?? null },
  time: { label: 'time (s)', of: (r: ExperimentRunRow) => (r.run?.durationMs == null ? null : r.run.durationMs / 1000) },
  params: { label: 'parameters', of: (r: ExperimentRunRow) => r.run?.totalParams ?? null },
} as const;
type MetricKey = keyof typeof METRICS;

const BEST_COLOR = '#f0b429';
const RUN_COLOR = '#5aa9e6';

/** The row with the lowest best validation loss. */
function bestRow(detail: ExperimentDetail, results: Record<string, RunResult>): number | null {
  let best: number | null = null;
  let value = Infinity;
  for (const r of detail.runs) {
    const v = r.runId ? results[r.runId]?.bestValLoss : undefined;
    if (v != null && v < value) {
      value = v;
      best = r.index;
    }
  }
  return best;
}

/** An experiment: its runs' table, a metric against a varied setting, parallel coordinates that filter the table, Compare. */
export function ExperimentView() {
  const store = useAppStore();
  const experiments = useApp((s) => s.experiments);
  const detail = useApp((s) => s.experiment);
  const results = useApp((s) => s.experimentResults);
  const recons = useApp((s) => s.experimentRecons);
  const oneClass = useApp((s) => s.experimentOneClass);
  const [ticked, setTicked] = useState<string[]>([]);
  const [brushed, setBrushed] = useState<number[] | null>(null);
  if (!detail) {
    return (
      <main className="experiment-view experiment-view--empty" aria-label="Experiments" data-testid="experiment-view">
        <p>{experiments.length ? 'Reading the experiment…' : 'No experiment yet. In the Design view, Sweep… trains a run per value of the settings you choose; they are gathered here.'}</p>
      </main>
    );
  }
  const s = detail.summary;
  const best = bestRow(detail, results);
  const shown = brushed === null ? detail.runs : detail.runs.filter((r) => brushed.includes(r.index));
  // The validation images every row reconstructs, shown once in the column's heading.
  const firstRecon = detail.runs.map((r) => (r.runId ? recons[r.runId] : undefined)).find((g) => g !== undefined);
  const study = oneClass?.experimentId === s.id ? oneClass : null;
  const toCompare = ticked.length ? ticked : shown.flatMap((r) => (r.runId && r.run?.status === 'finished' ? [r.runId] : []));
  return (
    <main className="experiment-view" aria-label="Experiments" data-testid="experiment-view">
      <header className="experiment-view__head">
        <select className="field__input" data-testid="experiment-picker" value={s.id} onChange={(e) => void store.getState().openExperiment(e.target.value)} aria-label="Experiment">
          {experiments.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name} ({e.id.slice(-4)})
            </option>
          ))}
        </select>
        <span className="experiment-view__status" data-testid="experiment-status" data-status={s.status}>
          {s.status}, {s.doneCount} of {s.runCount} runs ended{s.error ? `: ${s.error}` : ''}
        </span>
        {study && (
          <span className="experiment-view__one-class" data-testid="experiment-one-class-mean" title="One-class study: each run's ROC AUC of the other classes (anomalous) against its class (normal), on every class's validation images">
            mean AUC {formatAuc(study.mean, study.std)} over {study.rows.length} class{study.rows.length === 1 ? '' : 'es'}
            {study.seeds.length > 1 ? `, ${study.seeds.length} seeds` : ''}
          </span>
        )}
        <span className="toolbar__spacer" />
        {s.status === 'running' && (
          <button type="button" className="btn btn--stop" data-testid="experiment-stop" onClick={() => void store.getState().stopExperiment()}>
            Stop experiment
          </button>
        )}
        <button type="button" className="btn btn--primary" data-testid="experiment-compare" disabled={toCompare.length < 2} title={ticked.length ? 'Compare the ticked runs' : 'Compare the runs shown (tick some to choose)'} onClick={() => store.getState().compareRuns(toCompare)}>
          Compare {toCompare.length > 6 ? '6' : toCompare.length} runs
        </button>
      </header>
      <div className="experiment-view__charts">
        <MetricChart key={study ? 'one-class' : 'sweep'} detail={detail} results={results} best={best} study={study} />
        <ParallelChart detail={detail} results={results} best={best} onBrush={setBrushed} />
      </div>
      <div className="experiment-view__table">
        <table className="runs__table" data-testid="experiment-runs" data-count={shown.length}>
          <thead>
            <tr>
              <th aria-label="Compare" />
              <th className="num">#</th>
              {s.settings.map((x) => (
                <th key={x.path} title={x.label} className={x.numeric ? 'num' : undefined}>
                  {x.path}
                </th>
              ))}
              <th className="num">best val loss</th>
              <th className="num">epoch</th>
              <th className="num">final val loss</th>
              {study && (
                <th className="num" title="ROC AUC of the other classes (anomalous) against the run's class (normal), on every class's validation images; the class's mean ± spread over seeds beside it">
                  AUC
                </th>
              )}
              <th className="num">time</th>
              <th className="num">parameters</th>
              <th>status</th>
              <th className="experiment-view__recon-head" data-testid="experiment-originals">
                {firstRecon ? firstRecon.originals.map((pixels, i) => <Tile key={i} pixels={pixels} grid={firstRecon} title={`validation image ${i + 1}`} className="experiment-view__tile" />) : 'reconstructions'}
              </th>
              <th>run</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const res = r.runId ? results[r.runId] : undefined;
              return (
                <tr key={r.index} data-testid={`experiment-row-${r.index}`} className={r.index === best ? 'experiment-view__best' : undefined}>
                  <td>
                    {r.runId && (
                      <input type="checkbox" aria-label={`Compare run ${r.index + 1}`} data-testid={`experiment-tick-${r.index}`} checked={ticked.includes(r.runId)} onChange={() => setTicked((t) => (t.includes(r.runId!) ? t.filter((x) => x !== r.runId) : [...t, r.runId!]))} />
                    )}
                  </td>
                  <td className="num">
                    {r.index === best ? '★ ' : ''}
                    {r.index + 1}
                  </td>
                  {s.settings.map((x) => (
                    <td key={x.path} className={x.numeric ? 'num' : undefined}>
                      {r.values[x.path] === undefined ? '–' : formatValue(r.values[x.path]!)}
                    </td>
                  ))}
                  <td className="num">{res?.bestValLoss?.toFixed(4) ?? '–'}</td>
                  <td className="num">{res?.bestEpoch ?? '–'}</td>
                  <td className="num">{res?.finalTerms.val_loss?.toFixed(4) ?? '–'}</td>
                  {study && <OneClassCell study={study} row={r} />}
                  <td className="num">{formatDuration(r.run?.durationMs ?? null)}</td>
                  <td className="num">{r.run?.totalParams?.toLocaleString('en') ?? '–'}</td>
                  <td>{r.run ? `${r.run.status}${r.run.status === 'running' ? ` ${r.run.epochsDone}/${r.run.epochs}` : ''}` : 'planned'}</td>
                  <td className="experiment-view__recon" data-testid={`experiment-recon-${r.index}`}>
                    {r.runId && recons[r.runId] ? recons[r.runId]!.reconstructions.map((pixels, i) => <Tile key={i} pixels={pixels} grid={recons[r.runId!]!} title={`run ${r.index + 1}: reconstruction of validation image ${i + 1}`} className="experiment-view__tile" />) : null}
                  </td>
                  <td className="runs__name-cell">{r.run?.name ?? '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </main>
  );
}

/** A run's AUC in a one-class study, with its class's mean ± spread when there are several seeds. */
function OneClassCell({ study, row }: { study: OneClassResult; row: ExperimentRunRow }) {
  const auc = study.scores.find((x) => x.runId === row.runId)?.auc ?? null;
  const normalClass = normalClassOf(row.values);
  const classRow = study.rows.find((x) => x.normalClass === normalClass);
  return (
    <td className="num" data-testid={`experiment-auc-${row.index}`}>
      {formatAuc(auc)}
      {study.seeds.length > 1 && classRow ? <span className="experiment-view__class-mean"> (class {formatAuc(classRow.mean, classRow.std)})</span> : null}
    </td>
  );
}

/** A setting's axis: a value (or log) axis spanning exactly its values (a log axis would round out to decades), or categories. */
function settingAxis(x: PlannedSetting, rows: readonly ExperimentRunRow[]) {
  if (!x.numeric) return { type: 'category' as const, data: [...new Set(rows.map((r) => formatValue(r.values[x.path]!)))] };
  const values = rows.map((r) => r.values[x.path] as number);
  const [min, max] = [Math.min(...values), Math.max(...values)];
  if (!(values.length && min < max)) return { type: x.logScale ? ('log' as const) : ('value' as const) };
  // Ticks and labels at the values swept (2, 4, 8, 16), not at the axis's own round numbers.
  const ticks = [...new Set(values)].sort((a, b) => a - b);
  const marks = ticks.length <= 12 ? { axisTick: { customValues: ticks }, axisLabel: { ...AXIS_STYLE.axisLabel, customValues: ticks, formatter: (v: number) => String(Number(v.toPrecision(4))) } } : {};
  // A log axis maps its ends through powers of ten and back: padded a little, a brush that reaches an end keeps the run there.
  return x.logScale ? { type: 'log' as const, min: min / 1.02, max: max * 1.02, ...marks } : { type: 'value' as const, min, max, ...marks };
}

function MetricChart({ detail, results, best, study }: { detail: ExperimentDetail; results: Record<string, RunResult>; best: number | null; study: OneClassResult | null }) {
  const settings = detail.summary.settings;
  const [setting, setSetting] = useState(settings[0]!.path);
  // A one-class study opens on its figure: AUC against the class.
  const [metric, setMetric] = useState<MetricKey>(study ? 'auc' : 'best');
  const metrics = Object.entries(METRICS).filter(([k]) => k !== 'auc' || study);
  const x = settings.find((p) => p.path === setting) ?? settings[0]!;
  const points = detail.runs.flatMap((r) => {
    const y = METRICS[metric].of(r, r.runId ? results[r.runId] : undefined, study);
    const v = r.values[x.path];
    return y === null || v === undefined ? [] : [{ value: [x.numeric ? (v as number) : formatValue(v), y], index: r.index }];
  });
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 56, right: 16, top: 14, bottom: 38 },
      tooltip: { trigger: 'item', formatter: (p: { data: { value: [number | string, number]; index: number } }) => `run ${p.data.index + 1}: ${x.path} ${p.data.value[0]}<br>${METRICS[metric].label} ${Number(p.data.value[1].toPrecision(4))}` },
      xAxis: { ...AXIS_STYLE, ...settingAxis(x, detail.runs), name: x.path, nameLocation: 'middle', nameGap: 24 },
      yAxis: { type: 'value', scale: true, ...AXIS_STYLE, axisLabel: { ...AXIS_STYLE.axisLabel, formatter: (v: number) => String(Number(v.toPrecision(3))) } },
      series: [
        {
          type: 'line',
          data: [...points].sort((a, b) => (x.numeric ? (a.value[0] as number) - (b.value[0] as number) : 0)).map((p) => ({ ...p, symbolSize: p.index === best ? 14 : 8, symbol: p.index === best ? 'diamond' : 'circle', itemStyle: { color: p.index === best ? BEST_COLOR : RUN_COLOR } })),
          lineStyle: { color: RUN_COLOR, width: 1.5, opacity: x.numeric && settings.length === 1 ? 0.7 : 0 },
          color: RUN_COLOR,
        },
      ],
    }),
    [points, x, metric, best, settings.length, detail.runs],
  );
  const ref = useEChart(option);
  return (
    <section className="experiment-chart" aria-label="Metric against a setting">
      <div className="experiment-chart__controls">
        <select className="field__input" data-testid="experiment-metric" value={metric} onChange={(e) => setMetric(e.target.value as MetricKey)} aria-label="Metric">
          {metrics.map(([k, m]) => (
            <option key={k} value={k}>
              {m.label}
            </option>
          ))}
        </select>
        <span>against</span>
        <select className="field__input" data-testid="experiment-axis" value={x.path} onChange={(e) => setSetting(e.target.value)} aria-label="Setting">
          {settings.map((p) => (
            <option key={p.path} value={p.path}>
              {p.path}
            </option>
          ))}
        </select>
        {x.logScale && <span className="field__help">log axis</span>}
      </div>
      <div ref={ref} className="experiment-chart__plot" data-testid="experiment-chart" data-points={points.length} data-x-axis={settingAxis(x, detail.runs).type} />
    </section>
  );
}

function ParallelChart({ detail, results, best, onBrush }: { detail: ExperimentDetail; results: Record<string, RunResult>; best: number | null; onBrush: (indices: number[] | null) => void }) {
  const settings = detail.summary.settings;
  const lines = detail.runs.filter((r) => r.runId && results[r.runId]?.bestValLoss != null);
  const option = useMemo(() => {
    const axes = [
      ...settings.map((x, dim) => ({ dim, name: x.path, ...settingAxis(x, lines) })),
      { dim: settings.length, name: 'best val loss', type: 'value', scale: true },
      { dim: settings.length + 1, name: 'final val loss', type: 'value', scale: true },
    ];
    return {
      animation: false,
      parallel: { left: 40, right: 70, top: 30, bottom: 20, parallelAxisDefault: { ...AXIS_STYLE, nameTextStyle: { color: '#c3cad4', fontSize: 11 }, nameGap: 10, axisLabel: { ...AXIS_STYLE.axisLabel, formatter: (v: number | string) => (typeof v === 'number' ? String(Number(v.toPrecision(3))) : v) }, areaSelectStyle: { width: 18 } } },
      parallelAxis: axes,
      series: [
        {
          type: 'parallel',
          lineStyle: { width: 2, opacity: 0.8 },
          inactiveOpacity: 0.08,
          activeOpacity: 1,
          data: lines.map((r) => ({
            value: [...settings.map((x) => (x.numeric ? (r.values[x.path] as number) : formatValue(r.values[x.path]!))), results[r.runId!]!.bestValLoss!, results[r.runId!]!.finalTerms.val_loss ?? null],
            lineStyle: { color: r.index === best ? BEST_COLOR : RUN_COLOR, width: r.index === best ? 3 : 2 },
          })),
        },
      ],
    };
  }, [settings, lines, results, best]);
  // The brushed lines filter the table: the run indices they stand for, or null when nothing is brushed.
  const linesRef = useRef(lines);
  linesRef.current = lines;
  const ref = useEChart(option, (chart: EChart) => {
    const onSelect = () => {
      const series = (chart as unknown as { getModel(): { getSeries(): { getRawIndicesByActiveState(s: string): number[] }[] } }).getModel().getSeries()[0];
      if (!series) return;
      const inactive = series.getRawIndicesByActiveState('inactive');
      onBrush(inactive.length === 0 ? null : series.getRawIndicesByActiveState('active').map((i) => linesRef.current[i]!.index));
    };
    chart.on('axisareaselected', onSelect);
    return () => chart.off('axisareaselected', onSelect);
  });
  return (
    <section className="experiment-chart" aria-label="Parallel coordinates">
      <div className="experiment-chart__controls">
        <span>Parallel coordinates</span>
        <span className="field__help">drag along an axis to keep the runs in that range; click the axis off the range to clear</span>
      </div>
      <div ref={ref} className="experiment-chart__plot" data-testid="experiment-parallel" data-lines={lines.length} />
    </section>
  );
}
