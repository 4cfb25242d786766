import { useMemo, useState } from 'react';
import type { ScoredImages, ScoreResult } from '../../../core/api';
import { folderDatasetId, parseDatasetId, withClasses } from '../../../core/data/datasetId';
import { modelPreprocessing, type Preprocessing } from '../../../core/data/preprocessing';
import { exportFileName } from '../../../core/fileNames';
import { anomalyTruth, scoresCsv, thresholdStats, type ThresholdStats } from '../../../core/score';
import { RunPicker } from '../explore/RunPicker';
import { download, ImageTile } from '../plots/images';
import { AXIS_STYLE, useEChart, type EChart } from '../plots/useEChart';
import { SkipReport } from '../panels/DatasetDialog';
import { FolderBrowser } from '../panels/FolderBrowser';
import { useApi, useApp, useAppStore } from '../store/context';
import { largest } from '../store/scoreSlice';

const BINS = 40;

/** The histogram's bins over [0, the largest error]: counts of all images, and of the classes not trained on (held out or new). */
export function histogram(r: ScoreResult, bins = BINS): { edges: number[]; all: number[]; notTrained: number[] } {
  const max = Math.max(largest(r.errors), 1e-12);
  const width = max / bins;
  const all = new Array<number>(bins).fill(0);
  const notTrained = new Array<number>(bins).fill(0);
  const anomalous = new Set([...r.heldOut, ...r.newClasses]);
  r.errors.forEach((e, i) => {
    const b = Math.min(bins - 1, Math.floor(e / width));
    all[b]!++;
    if (anomalous.has(r.labels[i]!)) notTrained[b]!++;
  });
  return { edges: Array.from({ length: bins + 1 }, (_, i) => i * width), all, notTrained };
}

/** How the classes not trained on are called: held out of training, new to the model, or both. */
function notTrainedName(r: Pick<ScoreResult, 'heldOut' | 'newClasses'>): string {
  if (r.heldOut.length && r.newClasses.length) return 'held-out and new classes';
  return r.heldOut.length ? 'held-out classes' : 'classes new to the model';
}

function Histogram({ result, threshold, onThreshold }: { result: ScoreResult; threshold: number; onThreshold(t: number): void }) {
  const h = useMemo(() => histogram(result), [result]);
  const handler = useMemo(() => ({ current: onThreshold }), []); // eslint-disable-line react-hooks/exhaustive-deps
  handler.current = onThreshold;
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 48, right: 16, top: 28, bottom: 36 },
      legend: { top: 0, right: 8, textStyle: { color: '#c3cad4', fontSize: 11 }, itemHeight: 8 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      // Ends at the largest error: its label rounded like the others' (not 0.36292436718940735).
      xAxis: { type: 'value', name: 'reconstruction error (MSE per pixel)', nameLocation: 'middle', nameGap: 22, min: 0, max: h.edges.at(-1), ...AXIS_STYLE, axisLabel: { ...AXIS_STYLE.axisLabel, formatter: (v: number) => String(Number(v.toPrecision(3))) } },
      yAxis: { type: 'value', name: 'images', ...AXIS_STYLE },
      series: [
        {
          id: 'images',
          name: 'images',
          type: 'bar',
          barWidth: '95%',
          data: h.all.map((c, i) => [(h.edges[i]! + h.edges[i + 1]!) / 2, c]),
          itemStyle: { color: '#5aa9e6' },
          markLine: { symbol: 'none', silent: true, lineStyle: { color: '#f0b429', width: 2 }, label: { formatter: 'threshold', color: '#f0b429' }, data: [{ xAxis: threshold }] },
        },
        ...(result.heldOut.length + result.newClasses.length
          ? [{ id: 'not-trained', name: notTrainedName(result), type: 'bar', barGap: '-100%', barWidth: '95%', data: h.notTrained.map((c, i) => [(h.edges[i]! + h.edges[i + 1]!) / 2, c]), itemStyle: { color: '#ef5b5b' } }]
          : []),
      ],
    }),
    [h, threshold, result],
  );
  const ref = useEChart(option, (chart: EChart) => {
    // Press on the chart and drag: the threshold follows the pointer (a click moves it there).
    const zr = chart.getZr();
    let dragging = false;
    const moveTo = (e: { offsetX: number; offsetY: number }) => {
      const [x] = chart.convertFromPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY]) as [number, number];
      handler.current(Math.max(0, x));
    };
    zr.on('mousedown', (e: { offsetX: number; offsetY: number }) => {
      if (!chart.containPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY])) return;
      dragging = true;
      moveTo(e);
    });
    zr.on('mousemove', (e: { offsetX: number; offsetY: number }) => dragging && moveTo(e));
    zr.on('mouseup', () => (dragging = false));
    zr.on('globalout', () => (dragging = false));
  });
  return <div ref={ref} className="chart score__chart" title="Drag on the histogram to move the threshold" data-testid="score-histogram" data-bins={h.all.length} data-total={result.count} />;
}

function RocCurve({ roc, at }: { roc: NonNullable<ScoreResult['roc']>; at: ThresholdStats | null }) {
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 44, right: 12, top: 12, bottom: 36 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', name: 'false positive rate', nameLocation: 'middle', nameGap: 22, min: 0, max: 1, ...AXIS_STYLE },
      yAxis: { type: 'value', name: 'true positive rate', nameLocation: 'middle', nameGap: 30, min: 0, max: 1, ...AXIS_STYLE },
      series: [
        { id: 'roc', type: 'line', data: roc.points, showSymbol: false, lineStyle: { width: 2 }, color: '#f0b429', areaStyle: { opacity: 0.12 } },
        { id: 'chance', type: 'line', data: [[0, 0], [1, 1]], showSymbol: false, lineStyle: { type: 'dashed', width: 1 }, color: '#8b95a3', silent: true },
        // Where the threshold on the histogram is on the curve.
        {
          id: 'threshold',
          type: 'scatter',
          data: at ? [[at.falsePositiveRate, at.recall]] : [],
          symbolSize: 10,
          itemStyle: { color: '#ffffff', borderColor: '#f0b429', borderWidth: 2 },
          label: { show: true, formatter: 'threshold', position: 'right', color: '#f0b429', fontSize: 11 },
          silent: true,
          z: 5,
        },
      ],
    }),
    [roc, at],
  );
  const ref = useEChart(option);
  return <div ref={ref} className="chart score__roc" data-testid="score-roc" data-auc={roc.auc.toFixed(4)} data-threshold-at={at ? `${at.falsePositiveRate.toFixed(4)},${at.recall.toFixed(4)}` : ''} />;
}

function PerClass({ result }: { result: ScoreResult }) {
  const held = new Set(result.heldOut);
  const fresh = new Set(result.newClasses);
  const max = Math.max(...result.perClass.map((c) => c.mean), 1e-12);
  return (
    <table className="class-counts" data-testid="score-per-class">
      <tbody>
        {[...result.perClass]
          .sort((a, b) => b.mean - a.mean)
          .map((c) => {
            const notTrained = held.has(c.label) || fresh.has(c.label);
            return (
              <tr key={c.label} className={notTrained ? 'score__held' : undefined}>
                <td className="class-counts__name">
                  {result.classNames[c.label] ?? `class ${c.label}`}
                  {held.has(c.label) && <span className="score__tag" title="A class of the run’s data that its training left out"> held out</span>}
                  {fresh.has(c.label) && <span className="score__tag" title="The run’s data has no class of this name"> not in training data</span>}
                </td>
                <td className="class-counts__bar">
                  <span style={{ width: `${(100 * c.mean) / max}%`, background: notTrained ? '#ef5b5b' : undefined }} />
                </td>
                <td className="class-counts__n">{c.mean.toFixed(4)}</td>
              </tr>
            );
          })}
      </tbody>
    </table>
  );
}

/** Rows of input, reconstruction and error map, with each image's error and class; a click shows one with its file. */
function Extremes({ title, set, result, testId, onPick }: { title: string; set: ScoredImages; result: ScoreResult; testId: string; onPick(i: number): void }) {
  return (
    <section className="score__extremes">
      <h3 className="compare__subtitle">{title}</h3>
      <div className="score__grid" data-testid={testId} data-count={set.positions.length}>
        {set.positions.map((pos, i) => (
          <figure key={pos} className="score__cell">
            <button type="button" className="score__pick" title={`${result.classNames[result.labels[pos]!] ?? ''}${result.files?.[pos] ? ` · ${result.files[pos]}` : ''} — click for its file`} onClick={() => onPick(i)}>
              <span className="score__triple">
                <ImageTile batch={set.inputs} index={i} className="image-tile score__tile" />
                <ImageTile batch={set.reconstructions} index={i} className="image-tile score__tile" />
                <ImageTile batch={set.errorMaps} index={i} className="image-tile score__tile score__heat" />
              </span>
            </button>
            <figcaption>
              {result.errors[pos]!.toFixed(4)} · {result.classNames[result.labels[pos]!] ?? '?'}
            </figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}

/** Where a scored image comes from: its file's path for a folder, its place in the set otherwise. */
export function imageSource(r: Pick<ScoreResult, 'datasetId' | 'datasetName' | 'files' | 'indices'>, position: number): string {
  const file = r.files?.[position];
  if (file) {
    const folder = parseFolderId(r.datasetId)?.path;
    return folder ? `${folder.replace(/\/+$/, '')}/${file}` : file;
  }
  return `${r.datasetName}, validation image #${r.indices[position]}`;
}

/** One of the extremes, large, with its class, error, rank and file. */
function PickedImage({ result, set, i, onClose }: { result: ScoreResult; set: ScoredImages; i: number; onClose(): void }) {
  const pos = set.positions[i]!;
  const rank = result.errors.filter((e) => e > result.errors[pos]!).length + 1;
  return (
    <section className="score__picked" data-testid="score-picked">
      <div className="score__picked-images">
        <figure>
          <ImageTile batch={set.inputs} index={i} className="image-tile score__big" />
          <figcaption>input</figcaption>
        </figure>
        <figure>
          <ImageTile batch={set.reconstructions} index={i} className="image-tile score__big" />
          <figcaption>reconstruction</figcaption>
        </figure>
        <figure>
          <ImageTile batch={set.errorMaps} index={i} className="image-tile score__big score__heat" />
          <figcaption>where the error is</figcaption>
        </figure>
      </div>
      <div className="score__picked-text">
        <p>
          <b>{result.classNames[result.labels[pos]!] ?? '?'}</b> · error <b>{result.errors[pos]!.toFixed(4)}</b> · number {rank.toLocaleString('en')} of {result.count.toLocaleString('en')} by error
        </p>
        <p className="score__path" data-testid="score-picked-file">
          {imageSource(result, pos)}
        </p>
        <button type="button" className="btn btn--small" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}

/** What to score: the run's own validation images, another built-in set or an image folder. */
function DataChoice() {
  const store = useAppStore();
  const info = useApp((s) => s.explore.info);
  const app = useApp((s) => s.info);
  const scoring = useApp((s) => s.score.progress !== null);
  const api = useApi();
  const [folder, setFolder] = useState('');
  const [browsing, setBrowsing] = useState(false);
  if (!info) return null;
  const desktop = app?.shell === 'electron';
  const scoreFolder = (path: string) => {
    setFolder(path);
    setBrowsing(false);
    void store.getState().runScore(folderIdFor(path, info));
  };
  const builtins = (app?.datasets ?? []).filter((d) => d.id !== info.datasetId && d.height === info.height && d.width === info.width && d.channels === info.channels);
  return (
    <div className="score__data">
      <button type="button" className="btn btn--primary" data-testid="score-run" disabled={scoring} onClick={() => void store.getState().runScore(null)}>
        Score the validation images
      </button>
      {builtins.map((d) => (
        <button key={d.id} type="button" className="btn" disabled={scoring} onClick={() => void store.getState().runScore(d.id)}>
          Score {d.name}
        </button>
      ))}
      <form
        className="score__folder"
        onSubmit={(e) => {
          e.preventDefault();
          if (folder.trim()) scoreFolder(folder.trim());
        }}
      >
        <input type="text" placeholder="or an image folder: /path/to/images" value={folder} spellCheck={false} data-testid="score-folder" aria-label="Folder to score" onChange={(e) => setFolder(e.target.value)} />
        {desktop ? (
          <button type="button" className="btn" disabled={scoring} onClick={() => void api.invoke('dialog:open-folder', {}).then((r) => r.path && scoreFolder(r.path))}>
            Choose…
          </button>
        ) : (
          <button type="button" className="btn" data-testid="score-browse" aria-expanded={browsing} disabled={scoring} onClick={() => setBrowsing(!browsing)}>
            Browse…
          </button>
        )}
        <button type="submit" className="btn" data-testid="score-folder-run" disabled={scoring || !folder.trim()}>
          Score folder
        </button>
      </form>
      {browsing && (
        <div className="score__browser">
          <FolderBrowser start={folder.trim() || null} chooseLabel="Score this folder" onChoose={scoreFolder} />
        </div>
      )}
    </div>
  );
}

/**
 * A folder read at the model's input size, with the fit and background of the run's own folder when
 * it trained on one (as `bottleneck score --data DIR` reads it); the run's own folder with the run's
 * own settings, so its validation split is the one the model never trained on.
 */
export function folderIdFor(path: string, info: { height: number; width: number; channels: number; datasetId: string }): string {
  const own = parseFolderId(info.datasetId);
  if (own && own.path === path.replace(/\/+$/, '')) return withClasses(info.datasetId, null);
  return folderDatasetId(path, modelPreprocessing(info, own?.preprocessing ?? null));
}

function parseFolderId(id: string): { path: string; preprocessing: Preprocessing } | null {
  try {
    const ref = parseDatasetId(id);
    return ref.kind === 'folder' ? { path: ref.path, preprocessing: ref.preprocessing } : null;
  } catch {
    return null;
  }
}

/** What the threshold does to the images of known class: precision and recall, with the counts behind them. */
function AtThreshold({ stats, result }: { stats: ThresholdStats; result: ScoreResult }) {
  const anomalies = stats.truePositives + stats.falseNegatives;
  const over = stats.truePositives + stats.falsePositives;
  return (
    <p className="score__pr small" data-testid="score-precision-recall" data-precision={stats.precision ?? ''} data-recall={stats.recall}>
      At this threshold, for the {notTrainedName(result)}: precision <b>{stats.precision === null ? '–' : stats.precision.toFixed(3)}</b>{' '}
      <span className="muted">({stats.truePositives.toLocaleString('en')} of the {over.toLocaleString('en')} images above it)</span> · recall <b>{stats.recall.toFixed(3)}</b>{' '}
      <span className="muted">({stats.truePositives.toLocaleString('en')} of their {anomalies.toLocaleString('en')} images)</span>
    </p>
  );
}

/** Anomaly detection: every image scored by how badly the model reconstructs it. */
export function ScoreView() {
  const store = useAppStore();
  const s = useApp((st) => st.score);
  const info = useApp((st) => st.explore.info);
  const error = useApp((st) => st.explore.error);
  const [picked, setPicked] = useState<{ set: 'highest' | 'lowest'; i: number } | null>(null);
  const r = s.result;
  const threshold = s.threshold ?? 0;
  const over = r ? r.errors.filter((e) => e > threshold).length : 0;
  const top = useMemo(() => (r ? largest(r.errors) : 0), [r]);
  const truth = useMemo(() => (r ? anomalyTruth(r) : []), [r]);
  const stats = useMemo(() => (r && r.roc ? thresholdStats(r.errors, truth, threshold) : null), [r, truth, threshold]);
  // A new score's extremes are other images.
  const [shownResult, setShownResult] = useState(r);
  if (shownResult !== r) {
    setShownResult(r);
    setPicked(null);
  }
  return (
    <main className="explore score" aria-label="Anomalies">
      <header className="card explore__bar">
        <RunPicker view="score" />
        {info && <DataChoice />}
        {s.progress && (
          <span className="explore__progress" data-testid="score-progress">
            scoring{s.progress.total > 0 ? ` ${s.progress.done.toLocaleString('en')} / ${s.progress.total.toLocaleString('en')}` : '…'}
            <progress max={1} value={s.progress.total > 0 ? s.progress.done / s.progress.total : undefined} />
            <button type="button" className="btn btn--small" data-testid="score-cancel" onClick={() => void store.getState().cancelScore()}>
              Cancel
            </button>
          </span>
        )}
      </header>
      {(error || s.error) && (
        <p className="explore__error" role="alert" data-testid="score-error">
          {s.error ?? error}
        </p>
      )}
      {!r ? (
        <section className="card score__empty">
          <p className="muted">
            An autoencoder reconstructs what is like its training data well and what is unlike it badly: the reconstruction error ranks images by how unusual they are. Score a dataset to see the
            histogram of errors, the most and least anomalous images with where the error is, and the error of each class. To see a class found as anomalous, train without it (Data ▾, the classes to train on) and score the validation images.
          </p>
        </section>
      ) : (
        <div className="score__body">
          <section className="card">
            <header className="card__header">
              <h2 className="card__title score__title" title={r.datasetName}>
                Errors of {r.count.toLocaleString('en')} images · {r.datasetName}
              </h2>
              <button
                type="button"
                className="btn btn--ghost btn--small"
                data-testid="score-export"
                title="Every image, the most anomalous first: index, file, label, class, error, held out, new class, anomalous"
                onClick={() => download(exportFileName([info?.runName, r.datasetName, 'anomalies'], 'csv'), new Blob([scoresCsv(r, s.threshold)], { type: 'text/csv' }))}
              >
                Export CSV
              </button>
            </header>
            {r.skippedCount > 0 && (
              <details className="skipped" data-testid="score-skipped">
                <summary>
                  {r.skippedCount.toLocaleString('en')} file{r.skippedCount === 1 ? '' : 's'} of the folder skipped
                </summary>
                <SkipReport skipped={r.skipped} total={r.skippedCount} />
              </details>
            )}
            <Histogram result={r} threshold={threshold} onThreshold={(t) => store.getState().setThreshold(t)} />
            <label className="score__threshold">
              Threshold{' '}
              <input
                type="range"
                min={0}
                max={top}
                step={top / 400}
                value={threshold}
                data-testid="score-threshold"
                onChange={(e) => store.getState().setThreshold(Number(e.target.value))}
              />{' '}
              <b>{threshold.toFixed(4)}</b> · <b data-testid="score-over">{over.toLocaleString('en')}</b> images above it ({((100 * over) / r.count).toFixed(1)} %)
            </label>
            {stats && <AtThreshold stats={stats} result={r} />}
          </section>
          <section className="card">
            <h2 className="card__title">Error by class</h2>
            <PerClass result={r} />
            {r.roc ? (
              <>
                <h3 className="compare__subtitle">
                  {notTrainedName(r)} against the trained ones: ROC AUC <b data-testid="score-auc">{r.roc.auc.toFixed(3)}</b>
                </h3>
                <RocCurve roc={r.roc} at={stats} />
              </>
            ) : (
              r.heldOut.length + r.newClasses.length > 0 && (
                <p className="muted small" data-testid="score-no-auc">
                  No ROC curve: every labelled image here is of a class the model did not train on, so there is nothing to tell them from. Score them with images it trained on (the validation images) to compare.
                </p>
              )
            )}
          </section>
          <section className="card score__wide">
            <p className="muted small">Each image: the input, the model's reconstruction, and where the error is (brighter is worse). Click one to see it large, with its file.</p>
            {picked && <PickedImage result={r} set={r[picked.set]} i={picked.i} onClose={() => setPicked(null)} />}
            <Extremes title="Most anomalous" set={r.highest} result={r} testId="score-highest" onPick={(i) => setPicked({ set: 'highest', i })} />
            <Extremes title="Least anomalous" set={r.lowest} result={r} testId="score-lowest" onPick={(i) => setPicked({ set: 'lowest', i })} />
          </section>
        </div>
      )}
    </main>
  );
}
