import { useEffect, useMemo, useRef } from 'react';
import type { ImageBatch } from '../../../core/api';
import { exportFileName } from '../../../core/fileNames';
import { RunPicker } from '../explore/RunPicker';
import { batchPng, download, ImageTile, paintBatch } from '../plots/images';
import { AXIS_STYLE, useEChart } from '../plots/useEChart';
import type { LabTool } from '../store/labSlice';
import { useApp } from '../store/context';
import { change, maskRect, maskStroke, mse, toBatch, type LabImage, type Mask } from './labImage';
import { maskOutline } from './maskOutline';

/** The corrupted image, drawn large, with the mask's outline over it; the pointer draws the mask on it. */
function DrawCanvas({ image, mask, tool, brush, onMask }: { image: LabImage; mask: Mask; tool: LabTool; brush: number; onMask(update: (m: Mask) => Mask): void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const start = useRef<[number, number] | null>(null);
  const last = useRef<[number, number] | null>(null);
  useEffect(() => paintBatch(ref.current!, toBatch([image])), [image]);
  const outline = useMemo(() => maskOutline(mask, image.width, image.height), [mask, image.width, image.height]);
  const at = (e: React.PointerEvent): [number, number] => {
    const r = ref.current!.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * image.width, ((e.clientY - r.top) / r.height) * image.height];
  };
  return (
    <div className="lab__canvas lab__draw">
    <canvas
      ref={ref}
      className={`image-tile lab__draw-image${tool !== 'none' ? ' lab__canvas--draw' : ''}`}
      data-testid="lab-corrupted"
      onPointerDown={(e) => {
        if (tool === 'none') return;
        (e.target as HTMLCanvasElement).setPointerCapture(e.pointerId);
        start.current = at(e);
        last.current = start.current;
        if (tool === 'brush') onMask((m) => maskStroke(m, image.width, start.current!, start.current!, brush));
      }}
      onPointerMove={(e) => {
        if (!start.current) return;
        const p = at(e);
        if (tool === 'brush') {
          const from = last.current!;
          onMask((m) => maskStroke(m, image.width, from, p, brush));
          last.current = p;
        }
      }}
      onPointerUp={(e) => {
        if (start.current && tool === 'rectangle') {
          const a = start.current;
          onMask((m) => maskRect(m, image, a, at(e)));
        }
        start.current = null;
        last.current = null;
      }}
    />
      {/* Two strokes, dark under light, so the edge shows on dark and light images alike. */}
      <svg className="lab__outline" viewBox={`0 0 ${image.width} ${image.height}`} preserveAspectRatio="none" aria-hidden="true" data-testid="lab-mask-outline" data-segments={outline ? outline.split('M').length - 1 : 0}>
        <path d={outline} stroke="#000" strokeWidth={3} vectorEffect="non-scaling-stroke" fill="none" />
        <path d={outline} stroke="#f0b429" strokeWidth={1.5} vectorEffect="non-scaling-stroke" fill="none" />
      </svg>
    </div>
  );
}

/** Errors against the clean image along σ: where the model stops coping with noise. */
function SigmaWalk({ walk, sigma }: { walk: { sigma: number; input: number; output: number }[]; sigma: number }) {
  const option = useMemo(
    () => ({
      animation: false,
      grid: { left: 52, right: 12, top: 26, bottom: 34 },
      legend: { top: 0, right: 8, textStyle: { color: '#c3cad4', fontSize: 11 }, itemHeight: 8 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => (typeof v === 'number' ? v.toFixed(4) : String(v)) },
      xAxis: { type: 'value', name: 'noise σ', nameLocation: 'middle', nameGap: 20, min: 0, max: 1, ...AXIS_STYLE },
      yAxis: { type: 'value', name: 'MSE to clean', ...AXIS_STYLE },
      series: [
        { name: 'noisy input', type: 'line', data: walk.map((w) => [w.sigma, w.input]), color: '#ef5b5b', symbolSize: 5 },
        { name: 'model output', type: 'line', data: walk.map((w) => [w.sigma, w.output]), color: '#5cc97b', symbolSize: 5, markLine: { symbol: 'none', silent: true, lineStyle: { color: '#f0b429' }, label: { show: false }, data: [{ xAxis: sigma }] } },
      ],
    }),
    [walk, sigma],
  );
  const ref = useEChart(option);
  return <div ref={ref} className="chart lab__walk" data-testid="lab-walk" data-points={walk.length} />;
}


/** The lab: corrupt an image by hand and see what the model makes of it. Its state is the store's lab slice. */
export function LabView() {
  const info = useApp((s) => s.explore.info);
  const runId = useApp((s) => s.explore.runId);
  const checkpoint = useApp((s) => s.explore.checkpoint);
  const modelError = useApp((s) => s.explore.error);
  const runName = useApp((s) => s.explore.info?.runName);
  const { index, fileName, clean, mask, corruption: c, corrupted, output, walk, tool, brush, note, error } = useApp((s) => s.lab);
  const syncLab = useApp((s) => s.syncLab);
  const showIndex = useApp((s) => s.showLabImage);
  const openLabFile = useApp((s) => s.openLabFile);
  const set = useApp((s) => s.setLabCorruption);
  const updateLabMask = useApp((s) => s.updateLabMask);
  const clearLabMask = useApp((s) => s.clearLabMask);
  const setTool = useApp((s) => s.setLabTool);
  const setBrush = useApp((s) => s.setLabBrush);
  const walkSigma = useApp((s) => s.walkLabSigma);
  const fileInput = useRef<HTMLInputElement>(null);

  // The Lab follows the model in use: when it shows, and when the run, weights or model change.
  useEffect(() => syncLab(), [syncLab, runId, checkpoint, info]);
  const openFile = (file: File) => void openLabFile(file);

  const inputError = clean && corrupted ? mse(corrupted, clean) : null;
  const outputError = clean && output ? mse(output, clean) : null;
  const masked = mask && mask.some((v) => v === 1);
  const inputMasked = masked && clean && corrupted ? mse(corrupted, clean, mask!) : null;
  const outputMasked = masked && clean && output ? mse(output, clean, mask!) : null;
  const cleanBatch = useMemo((): ImageBatch | null => (clean ? toBatch([clean]) : null), [clean]);
  const outputBatch = useMemo((): ImageBatch | null => (output ? toBatch([output]) : null), [output]);
  const source = fileName ?? `image ${index}`;
  const save = (images: LabImage[], what: string) => void batchPng(toBatch(images), images.length, 8).then((png) => download(exportFileName([runName, source, what], 'png'), png));

  return (
    <main className="explore lab" aria-label="Lab" onDragOver={(e) => e.preventDefault()} onDrop={(e) => {
      const file = e.dataTransfer.files[0];
      if (!file) return;
      e.preventDefault();
      e.stopPropagation();
      openFile(file);
    }}>
      <header className="card explore__bar">
        <RunPicker view="lab" />
        <span className="lab__source">
          Image{' '}
          <button type="button" className="btn btn--small" data-testid="lab-previous" onClick={() => showIndex(index - 1)} aria-label="Previous image">
            ◀
          </button>{' '}
          {/* Empty while a file is shown: no validation image is. */}
          <input
            type="number"
            min={0}
            max={(info?.count ?? 1) - 1}
            value={fileName === null ? index : ''}
            placeholder="file"
            title={fileName === null ? 'The validation image shown' : `${fileName} is shown: type an index to go back to the validation images`}
            className="explore__seed"
            data-testid="lab-index"
            aria-label="Validation image"
            onChange={(e) => showIndex(Number(e.target.value) || 0)}
          />{' '}
          <button type="button" className="btn btn--small" data-testid="lab-next" onClick={() => showIndex(index + 1)} aria-label="Next image">
            ▶
          </button>{' '}
          <button type="button" className="btn btn--small" data-testid="lab-random" onClick={() => showIndex(Math.floor(Math.random() * (info?.count ?? 1)))}>
            Random
          </button>{' '}
          <button type="button" className="btn btn--small" data-testid="lab-open" onClick={() => fileInput.current?.click()}>
            Open image…
          </button>
          <input ref={fileInput} type="file" accept="image/*" hidden data-testid="lab-file" onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) openFile(file);
          }} />
        </span>
        {note && <span className="muted small" data-testid="lab-note">{note}</span>}
      </header>
      {(error || modelError) && (
        <p className="explore__error" role="alert" data-testid="lab-error">
          {error ?? modelError}
        </p>
      )}
      <div className="lab__body">
        <section className="card lab__main">
          <div className="lab__images">
          <figure>
            <figcaption>Clean</figcaption>
            {cleanBatch ? <ImageTile batch={cleanBatch} className="image-tile lab__canvas" testId="lab-clean" /> : <div className="lab__canvas lab__empty muted">…</div>}
          </figure>
          <figure>
            <figcaption>
              <span>Corrupted {tool !== 'none' && <span className="muted">(draw a {tool === 'rectangle' ? 'rectangle' : 'stroke'} on it)</span>}</span>
            </figcaption>
            {corrupted && mask ? <DrawCanvas image={corrupted} mask={mask} tool={tool} brush={brush} onMask={updateLabMask} /> : <div className="lab__canvas lab__empty" />}
            <p className="lab__err" data-testid="lab-input-error">
              MSE to clean <b>{inputError?.toFixed(4) ?? '–'}</b>
              {inputMasked !== null && <> · in the mask <b>{inputMasked.toFixed(4)}</b></>}
            </p>
          </figure>
          <figure>
            <figcaption>Model output</figcaption>
            {outputBatch ? <ImageTile batch={outputBatch} className="image-tile lab__canvas" testId="lab-output" /> : <div className="lab__canvas lab__empty muted">…</div>}
            <p className="lab__err" data-testid="lab-output-error">
              MSE to clean <b>{outputError?.toFixed(4) ?? '–'}</b> <span className="muted">{change(inputError, outputError)}</span>
              {outputMasked !== null && (
                <>
                  {' '}· in the mask <b>{outputMasked.toFixed(4)}</b> <span className="muted">{change(inputMasked, outputMasked)}</span>
                </>
              )}
            </p>
            <button type="button" className="btn btn--small" data-testid="lab-save-output" disabled={!output} title="The model’s output as a PNG, 8× its pixels" onClick={() => output && save([output], 'lab output')}>
              Save as PNG
            </button>
          </figure>
          </div>
          <div className="lab__breaks">
            <header className="card__header">
              <h2 className="card__title">Where it breaks</h2>
              <button type="button" className="btn btn--small" data-testid="lab-walk-run" disabled={!clean} onClick={() => void walkSigma()}>
                Walk σ from 0 to 1
              </button>
              <span className="muted small">the error to the clean image of the noisy input and of the model’s output, as the noise grows</span>
            </header>
            {walk.length > 0 && <SigmaWalk walk={walk} sigma={c.sigma} />}
          </div>
        </section>
        <section className="card lab__controls">
          <h2 className="card__title">Corrupt it</h2>
          <label className="lab__row" title="Gaussian noise added to every pixel">
            Noise σ <input type="range" min={0} max={1} step={0.05} value={c.sigma} data-testid="lab-sigma" onChange={(e) => set({ sigma: Number(e.target.value) })} /> <b>{c.sigma.toFixed(2)}</b>
          </label>
          <label className="lab__row" title="The share of pixels set to black or white">
            Salt & pepper <input type="range" min={0} max={0.5} step={0.01} value={c.saltPepper} data-testid="lab-salt" onChange={(e) => set({ saltPepper: Number(e.target.value) })} /> <b>{Math.round(c.saltPepper * 100)} %</b>
          </label>
          <div className="lab__row">
            Mask{' '}
            <div className="tabs" role="radiogroup" aria-label="Mask tool">
              {(['none', 'rectangle', 'brush'] as const).map((t) => (
                <button key={t} type="button" role="radio" aria-checked={tool === t} className={`tab${tool === t ? ' tab--on' : ''}`} data-testid={`lab-tool-${t}`} onClick={() => setTool(t)}>
                  {t === 'none' ? 'off' : t}
                </button>
              ))}
            </div>
            {tool === 'brush' && (
              <label>
                size <input type="range" min={1} max={6} step={0.5} value={brush} onChange={(e) => setBrush(Number(e.target.value))} />
              </label>
            )}
            <button type="button" className="btn btn--small" data-testid="lab-clear-mask" onClick={clearLabMask}>
              Clear
            </button>
          </div>
          <label className="lab__row" title="Text stamped across the image, like a watermark">
            Watermark <input type="text" value={c.watermark} placeholder="text" maxLength={20} data-testid="lab-watermark" onChange={(e) => set({ watermark: e.target.value })} />
          </label>
          <label className="lab__row lab__row--sub" title="The letters' height, as a share of the image's">
            size <input type="range" min={0.2} max={1} step={0.05} value={c.watermarkSize} disabled={!c.watermark} data-testid="lab-watermark-size" onChange={(e) => set({ watermarkSize: Number(e.target.value) })} /> <b>{Math.round(c.watermarkSize * 100)} %</b>
          </label>
          <label className="lab__row lab__row--sub" title="How much the white letters cover the image">
            opacity <input type="range" min={0.1} max={1} step={0.05} value={c.watermarkOpacity} disabled={!c.watermark} data-testid="lab-watermark-opacity" onChange={(e) => set({ watermarkOpacity: Number(e.target.value) })} /> <b>{Math.round(c.watermarkOpacity * 100)} %</b>
          </label>
          <label className="lab__row">
            Seed <input type="number" min={0} value={c.seed} className="explore__seed" onChange={(e) => set({ seed: Math.max(0, Math.floor(Number(e.target.value) || 0)) })} />
          </label>
          <p className="muted small">
            A denoising model is trained with noise (the denoising template, σ 0.3) and an inpainting one with holes (the inpainting template): try them here against a plain autoencoder.
          </p>
        </section>
      </div>
    </main>
  );
}
