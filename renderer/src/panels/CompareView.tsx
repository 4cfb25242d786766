import { useEffect, useMemo, useRef, useState } from 'react';
import type { ReconstructionGrid, RunDetail } from '../../../core/api';
import { compareMetricsCsv, comparePngName } from '../../../core/runs/compareExport';
import { compareSettings, diffGraphs } from '../../../core/runs/diff';
import { compareResults, formatDelta } from '../../../core/runs/compareResults';
import { elementPng, EXPORT_SKIP } from '../plots/elementPng';
import { download } from '../plots/images';
import { LatentScatter } from '../plots/LatentScatter';
import { paint } from '../plots/ReconGrid';
import { AXIS_STYLE, useEChart } from '../plots/useEChart';
import { useApp } from '../store/context';
import { compareEpochData, DRAWING_PNG } from '../store/compareSlice';
import { runColor } from './runColors';

const METRICS = [
  { name: 'loss', label: 'Loss', train: 'epoch_loss', val: 'val_loss' },
  { name: 'recon_loss', label: 'Reconstruction loss', train: 'recon_loss', val: 'val_recon_loss' },
  { name: 'kl_loss', label: 'KL term', train: 'kl_loss', val: 'val_kl_loss' },
  { name: 'sparsity_loss', label: 'Sparsity term', train: 'sparsity_loss', val: 'val_sparsity_loss' },
  { name: 'samples_per_sec', label: 'Samples/s', train: 'samples_per_sec', val: null },
  // The schedule's rate per epoch (runs since the learning-rate schedule).
  { name: 'lr', label: 'Learning rate', train: 'lr', val: null },
] as const;
type MetricName = (typeof METRICS)[number]['name'];
type XAxis = 'epoch' | 'time';

/** [x, value] points of one metric of one run, by epoch or by minutes since the run's first record. */
function seriesOf(detail: RunDetail, key: string, x: XAxis): [number, number][] {
  const points = detail.metrics.filter((m) => m.key === key);
  const t0 = detail.metrics[0]?.t ?? 0;
  return points.map((m) => [x === 'epoch' ? m.epoch : (m.t - t0) / 60, m.value]);
}

function CurveChart({ details, metricKey, title, x, testId }: { details: RunDetail[]; metricKey: (d: RunDetail) => string | null; title: string; x: XAxis; testId: string }) {
  const series = details.map((d, i) => ({ name: d.summary.name, data: (metricKey(d) && seriesOf(d, metricKey(d)!, x)) || [], color: runColor(i) }));
  const option = useMemo(
    () => ({
      animation: false,
      title: { text: title, left: 0, top: 0, textStyle: { color: '#c3cad4', fontSize: 12, fontWeight: 600 } },
      grid: { left: 52, right: 14, top: 30, bottom: 32 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v)) },
      xAxis: { type: 'value', name: x === 'epoch' ? 'epoch' : 'minutes', nameLocation: 'middle', nameGap: 20, minInterval: x === 'epoch' ? 1 : undefined, ...AXIS_STYLE },
      yAxis: { type: 'value', scale: true, ...AXIS_STYLE, axisLabel: { ...AXIS_STYLE.axisLabel, formatter: (v: number) => String(Number(v.toPrecision(3))) } },
      series: series.map((s) => ({ name: s.name, type: 'line', data: s.data, symbolSize: 5, lineStyle: { width: 2 }, color: s.color })),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [JSON.stringify(series), title, x],
  );
  const ref = useEChart(option);
  return <div ref={ref} className="chart compare__chart" data-testid={testId} data-series-count={series.filter((s) => s.data.length > 0).length} />;
}

function Tile({ pixels, grid }: { pixels: number[]; grid: ReconstructionGrid }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => paint(ref.current!, pixels, grid.height, grid.width, grid.channels), [pixels, grid]);
  return <canvas ref={ref} className="recon__tile compare__tile" />;
}

const mse = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + ((v - b[i]!) / 255) ** 2, 0) / a.length;

/** The same validation images across, the input row first, then one row per run with each image's error. */
function ReconCompare({ details, grids }: { details: RunDetail[]; grids: ({ epoch: number; data: ReconstructionGrid | null } | null)[] }) {
  const first = grids.find((g) => g?.data)?.data ?? null;
  if (!first) return <p className="muted">Reconstructions appear once the runs have finished an epoch.</p>;
  const sameImages = grids.every((g) => !g?.data || JSON.stringify(g.data.originals) === JSON.stringify(first.originals));
  return (
    <>
      {!sameImages && <p className="muted">These runs used different validation images (different datasets): each row shows its own.</p>}
      <table className="compare__recon" data-testid="compare-recon" data-columns={grids.length} data-images={first.originals.length}>
        <tbody>
          <tr>
            <th scope="row" title={first.corrupted ? 'the clean image: the target each error is measured against' : undefined}>
              {first.corrupted ? 'clean' : 'input'}
            </th>
            {first.originals.map((original, i) => (
              <td key={i}>
                <Tile pixels={original} grid={first} />
              </td>
            ))}
          </tr>
          {grids.map((g, r) =>
            g?.data?.corrupted ? (
              <tr key={`given-${r}`} data-testid={`compare-corrupted-${r}`}>
                <th scope="row" style={{ color: runColor(r) }} title="the input as this run's corruption (noise, holes) leaves it">
                  <span className="compare__recon-name">given to {details[r]?.summary.name}</span>
                </th>
                {g.data.corrupted.map((px, i) => (
                  <td key={i}>
                    <Tile pixels={px} grid={g.data!} />
                  </td>
                ))}
              </tr>
            ) : null,
          )}
          {details.map((d, r) => {
            const grid = grids[r]?.data;
            return (
              <tr key={d.summary.id} data-testid={`compare-recon-run-${r}`}>
                <th scope="row" style={{ color: runColor(r) }} title={d.summary.name}>
                  <span className="compare__recon-name">{d.summary.name}</span>
                  <span className="muted"> · epoch {grids[r]?.epoch ?? '–'}</span>
                </th>
                {first.originals.map((_, i) => {
                  const recon = grid?.reconstructions[i];
                  return (
                    <td key={i}>
                      {grid && recon ? (
                        <>
                          <Tile pixels={recon} grid={grid} />
                          <span className="compare__err" title="mean squared error per pixel, pixels in [0, 1]">
                            {mse(grid.originals[i]!, recon).toFixed(4)}
                          </span>
                        </>
                      ) : (
                        <span className="muted">–</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/** What the table of differences shows: the settings and blocks that differ (or all of them), and how many lines that takes. */
function diffShown(details: RunDetail[], showAll: boolean) {
  const settings = compareSettings(details).filter((r) => showAll || r.differs);
  const blocks = diffGraphs(details.map((d) => d.graph)).filter((b) => showAll || b.status !== 'same');
  const noteLines = Math.max(0, ...details.map((d) => (d.summary.note.trim() ? d.summary.note.trim().split('\n').length : 0)));
  const tags = details.some((d) => d.summary.tags.length > 0) ? 1 : 0;
  const blockLines = blocks.reduce((n, b) => n + Math.max(1, b.changes.length), 0);
  // The heading, the two results rows, the notes, the settings (or "Same settings"), the section row, the blocks (or "Same blocks").
  const lines = 1 + 2 + tags + noteLines + Math.max(1, settings.length) + 1 + Math.max(1, blockLines);
  return { settings, blocks, lines };
}

/** A short table of differences fits beside the charts (no taller than they are); a longer one goes under them. */
const LINES_BESIDE_CHARTS = 11;

function DiffTable({ details, shown: { settings: shownSettings, blocks: shownBlocks }, baseline, onPin }: { details: RunDetail[]; shown: ReturnType<typeof diffShown>; baseline: number | null; onPin: (index: number | null) => void }) {
  return (
    <table className="compare__diff" data-testid="compare-diff">
      <thead>
        <tr>
          <th />
          {details.map((d, i) => (
            <th key={d.summary.id} style={{ color: runColor(i) }}>
              {d.summary.name}{' '}
              <button
                type="button"
                className={`btn btn--ghost btn--small compare__pin${baseline === i ? ' compare__pin--on' : ''}`}
                data-testid={`compare-pin-${i}`}
                aria-pressed={baseline === i}
                title={baseline === i ? 'Unpin: show values only' : 'Pin as the baseline: the other runs show their difference from it'}
                onClick={() => onPin(baseline === i ? null : i)}
              >
                {baseline === i ? 'baseline' : 'pin'}
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {compareResults(details, baseline).map((row) => (
          <tr key={row.key} data-testid={`diff-row-${row.key}`} className="compare__diff-result">
            <th>{row.label}</th>
            {row.cells.map((c, i) => (
              <td key={i} data-testid={`diff-${row.key}-${i}`}>
                {c.value === null ? <span className="muted">–</span> : `${c.value.toFixed(4)} (${c.epoch})`}
                {c.delta && <span className={`compare__delta${c.delta.absolute > 0 ? ' compare__delta--worse' : c.delta.absolute < 0 ? ' compare__delta--better' : ''}`}> {formatDelta(c.delta)}</span>}
              </td>
            ))}
          </tr>
        ))}
        {details.some((d) => d.summary.tags.length > 0) && (
          <tr data-testid="diff-row-tags" className="compare__diff-notes">
            <th>Tags</th>
            {details.map((d) => (
              <td key={d.summary.id}>
                {d.summary.tags.length ? d.summary.tags.map((tag) => <span key={tag} className="tag tag--static">{tag}</span>) : <span className="muted">none</span>}
              </td>
            ))}
          </tr>
        )}
        {details.some((d) => d.summary.note.trim()) && (
          <tr data-testid="diff-row-note" className="compare__diff-notes">
            <th>Note</th>
            {details.map((d) => (
              <td key={d.summary.id} className="compare__note">
                {d.summary.note.trim() || <span className="muted">none</span>}
              </td>
            ))}
          </tr>
        )}
        {shownSettings.map((r) => (
          <tr key={r.key} data-testid={`diff-row-${r.key}`} data-differs={r.differs} className={r.differs ? 'diff--differs' : undefined}>
            <th>{r.label}</th>
            {r.values.map((v, i) => (
              <td key={i}>{v}</td>
            ))}
          </tr>
        ))}
        {shownSettings.length === 0 && (
          <tr>
            <td colSpan={details.length + 1} className="muted">
              Same settings.
            </td>
          </tr>
        )}
        <tr className="compare__diff-section">
          <th colSpan={details.length + 1}>Graph, block by block</th>
        </tr>
        {shownBlocks.flatMap((b) =>
          (b.changes.length ? b.changes : [{ param: '', label: '', values: b.present.map((p) => (p ? 'same' : null)) }]).map((c, k) => (
            <tr key={`${b.id}:${c.param}`} data-testid={k === 0 ? `diff-block-${b.id}` : undefined} className={`${k === 0 ? 'compare__diff-block' : ''}${b.status !== 'same' ? ' diff--differs' : ''}`}>
              <th>{k === 0 ? b.label : ''}{c.label && <span className="muted"> {c.label}</span>}</th>
              {c.values.map((v, i) => (
                <td key={i}>{v ?? <span className="muted">absent</span>}</td>
              ))}
            </tr>
          )),
        )}
        {shownBlocks.length === 0 && (
          <tr>
            <td colSpan={details.length + 1} className="muted">
              Same blocks with the same settings.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export function CompareView() {
  const compared = useApp((s) => s.compared);
  const allDetails = useApp((s) => s.details);
  const details = compared.map((id) => allDetails[id]).filter((d): d is RunDetail => d !== undefined);
  const [metric, setMetric] = useState<MetricName>('loss');
  const [x, setX] = useState<XAxis>('epoch');
  const [showAll, setShowAll] = useState(false);
  // The run pinned as the baseline, by id, so it stays pinned while others are ticked or unticked.
  const [baselineId, setBaselineId] = useState<string | null>(null);
  const maxEpoch = Math.max(1, ...details.flatMap((d) => d.latentEpochs));
  const [epochChoice, setEpochChoice] = useState<number | null>(null);
  const epoch = Math.min(epochChoice ?? maxEpoch, maxEpoch);
  const compare = useApp((s) => s.compare);
  const loadCompareEpoch = useApp((s) => s.loadCompareEpoch);
  const exportComparePng = useApp((s) => s.exportComparePng);
  const latents = compareEpochData(compare, details, epoch, 'latent');
  const grids = compareEpochData(compare, details, epoch, 'samples');
  // The epoch shown, or the runs compared (their details arriving), changed: read what is missing.
  const detailsKey = details.map((d) => `${d.summary.id}:${d.latentEpochs.length}:${d.sampleEpochs.length}`).join(',');
  useEffect(() => loadCompareEpoch(epoch), [loadCompareEpoch, epoch, detailsKey]);
  const root = useRef<HTMLDivElement>(null);
  const exporting = compare.exporting;

  if (compared.length < 2) {
    return (
      <section className="card compare compare--empty" data-testid="compare-hint">
        <p className="muted">Tick 2 to 6 runs in the list to compare their curves, latent spaces, reconstructions and settings side by side.</p>
      </section>
    );
  }
  if (details.length < compared.length) {
    return (
      <section className="card compare" data-testid="compare-loading">
        <p className="muted">Reading {compared.length - details.length} run{compared.length - details.length === 1 ? '' : 's'}…</p>
      </section>
    );
  }
  const differences = diffShown(details, showAll);
  const pinned = details.findIndex((d) => d.summary.id === baselineId);
  const baseline = pinned >= 0 ? pinned : null;
  // Beside the charts (where the window is wide enough: styles.css) when it is short and has few columns.
  const beside = differences.lines <= LINES_BESIDE_CHARTS && details.length <= 3;
  const available = METRICS.filter((m) => details.some((d) => d.metrics.some((p) => p.key === m.train)));
  const chosen = METRICS.find((m) => m.name === metric) ?? METRICS[0];
  return (
    <section className="card compare" data-testid="compare-view" ref={root}>
      <header className="card__header">
        <h2 className="card__title">Compare {details.length} runs</h2>
        <div className="compare__legend">
          {details.map((d, i) => (
            <span key={d.summary.id} className="compare__chip" data-testid={`compare-run-${i}`}>
              <span className="swatch" style={{ background: runColor(i) }} />
              {d.summary.name}
            </span>
          ))}
        </div>
        <div className="compare__tools" {...{ [EXPORT_SKIP]: '' }}>
          {exporting && <span className="muted small" role="status">{exporting}</span>}
          <button
            type="button"
            className="btn btn--ghost btn--small"
            data-testid="compare-export-png"
            disabled={exporting === DRAWING_PNG}
            onClick={() => {
              const element = root.current;
              // The comparison as one PNG, as it is on screen (without its buttons), at twice its size.
              if (element) void exportComparePng(async () => download(comparePngName(details), await elementPng(element, { scale: 2 })));
            }}
          >
            Export PNG
          </button>
          <button type="button" className="btn btn--ghost btn--small" data-testid="compare-export-csv" onClick={() => download('bottleneck-metrics.csv', new Blob([compareMetricsCsv(details)], { type: 'text/csv' }))}>
            Export CSV
          </button>
        </div>
      </header>
      <div className={`compare__top${beside ? ' compare__top--beside' : ''}`} data-testid="compare-top" data-beside={beside}>
        <div className="compare__curves">
          <div className="compare__controls">
            <label>
              Metric{' '}
              <select value={chosen.name} data-testid="compare-metric" onChange={(e) => setMetric(e.target.value as MetricName)}>
                {available.map((m) => (
                  <option key={m.name} value={m.name}>
                    {m.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              by{' '}
              <select value={x} data-testid="compare-xaxis" onChange={(e) => setX(e.target.value as XAxis)}>
                <option value="epoch">epoch</option>
                <option value="time">wall time</option>
              </select>
            </label>
          </div>
          <div className="compare__charts" data-testid="compare-charts">
            <CurveChart details={details} metricKey={() => chosen.train} title={`Training · ${chosen.label}`} x={x} testId="compare-chart-train" />
            {chosen.val && <CurveChart details={details} metricKey={() => chosen.val} title={`Validation · ${chosen.label}`} x={x} testId="compare-chart-val" />}
          </div>
        </div>
        <div className="compare__differs">
          <h3 className="compare__subtitle" data-testid="compare-diff-title">
            What differs
            <label className="runs__check">
              <input type="checkbox" checked={showAll} data-testid="compare-show-all" onChange={(e) => setShowAll(e.target.checked)} /> show everything
            </label>
          </h3>
          <DiffTable details={details} shown={differences} baseline={baseline} onPin={(i) => setBaselineId(i === null ? null : details[i]!.summary.id)} />
        </div>
      </div>
      <h3 className="compare__subtitle" data-testid="compare-latent-title">
        Latent space at epoch{' '}
        <input type="range" min={1} max={maxEpoch} value={epoch} data-testid="compare-epoch" aria-label="Epoch" onChange={(e) => setEpochChoice(Number(e.target.value))} /> <b data-testid="compare-epoch-value">{epoch}</b>
      </h3>
      <div className="compare__scatters" style={{ gridTemplateColumns: `repeat(${Math.min(details.length, 3)}, minmax(0, 1fr))` }}>
        {details.map((d, i) => (
          <div key={d.summary.id} className="compare__scatter" data-testid={`compare-scatter-${i}`}>
            <h3 style={{ color: runColor(i) }}>
              {d.summary.name} <span className="muted">· epoch {latents[i]?.epoch ?? '–'}</span>
            </h3>
            <LatentScatter latent={latents[i]?.data ?? null} classNames={(d.dataset.classNames as string[] | undefined) ?? []} />
          </div>
        ))}
      </div>
      <h3 className="compare__subtitle">Same images, each run's reconstruction (error below)</h3>
      <ReconCompare details={details} grids={grids} />
    </section>
  );
}
