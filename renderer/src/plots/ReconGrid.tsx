import { useEffect, useRef } from 'react';
import type { ReconstructionGrid } from '../../../core/train/events';

/** Draws one image (0..255, HWC, 1 or 3+ channels) into a canvas at its native size; CSS scales it crisply. */
export function paint(canvas: HTMLCanvasElement, pixels: number[], height: number, width: number, channels: number) {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    const base = p * channels;
    const r = pixels[base]!;
    const g = channels >= 3 ? pixels[base + 1]! : r;
    const b = channels >= 3 ? pixels[base + 2]! : r;
    image.data.set([r, g, b, 255], p * 4);
  }
  ctx.putImageData(image, 0, 0);
}

/** One image of a grid on a canvas (the experiment view's rows use it too, with their own class). */
export function Tile({ pixels, grid, title, className = 'recon__tile' }: { pixels: number[]; grid: ReconstructionGrid; title: string; className?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => paint(ref.current!, pixels, grid.height, grid.width, grid.channels), [pixels, grid]);
  return <canvas ref={ref} className={className} title={title} />;
}

const PER_ROW = 4;

/** A training image as augmentation left it; the row's first tile carries the row's label before it. */
function SeenTile({ pixels, grid, first }: { pixels: number[]; grid: ReconstructionGrid; first: boolean }) {
  return (
    <>
      {first && (
        <span className="recon__label" title="training images as the model saw them in the epoch's last step, augmented (validation images are never augmented)">
          seen
        </span>
      )}
      <Tile pixels={pixels} grid={grid} title="an augmented training image" />
    </>
  );
}

function chunk(length: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let from = 0; from < length; from += size) out.push([from, Math.min(from + size, length)]);
  return out;
}

/** One labelled row of a grid chunk. */
function Row({ label, title, images, from, to, recon, tileTitle, classNames }: { label: string; title?: string; images: number[][]; from: number; to: number; recon: ReconstructionGrid; tileTitle(className: string): string; classNames: string[] }) {
  return (
    <>
      <span className="recon__label" title={title}>
        {label}
      </span>
      {images.slice(from, to).map((px, i) => (
        <Tile key={i} pixels={px} grid={recon} title={tileTitle(classNames[recon.labels[from + i]!] ?? 'image')} />
      ))}
    </>
  );
}

export function ReconGrid({ recon, classNames }: { recon: ReconstructionGrid | null; classNames: string[] }) {
  const count = recon ? recon.originals.length + recon.reconstructions.length + (recon.corrupted?.length ?? 0) : 0;
  const corrupted = recon?.corrupted;
  const augmented = recon?.augmented;
  const perRow = corrupted ? PER_ROW * 2 : PER_ROW;
  return (
    <div className={`recon${corrupted ? ' recon--corrupted' : ''}${augmented ? ' recon--seen' : ''}`} data-testid="recon-grid" data-point-count={count} data-corrupted={corrupted ? corrupted.length : 0} data-augmented={augmented ? augmented.length : 0}>
      {recon ? (
        // Rows of four: each input directly above its reconstruction, so the eye compares pairs. A model
        // trained on corrupted inputs shows what it was given, its output and the clean target.
        // Three rows (given, out, clean) take eight images each, so they fit where four pairs do.
        chunk(recon.originals.length, perRow).map(([from, to]) => (
          <div key={from} className="recon__pair">
            {corrupted ? (
              <Row label="given" title="the input as the model's corruption leaves it" images={corrupted} from={from} to={to} recon={recon} tileTitle={(c) => `corrupted ${c}`} classNames={classNames} />
            ) : (
              <Row label="in" images={recon.originals} from={from} to={to} recon={recon} tileTitle={(c) => c} classNames={classNames} />
            )}
            <Row label="out" images={recon.reconstructions} from={from} to={to} recon={recon} tileTitle={(c) => `output for ${c}`} classNames={classNames} />
            {corrupted && <Row label="clean" title="the clean image: the loss’s target" images={recon.originals} from={from} to={to} recon={recon} tileTitle={(c) => c} classNames={classNames} />}
          </div>
        ))
      ) : (
        <p className="muted empty">Reconstructions of 8 validation images appear after the first epoch.</p>
      )}
      {augmented &&
        // Training images, not the validation ones above: what the augmentation made of the epoch's last batch.
        chunk(augmented.length, perRow).map(([from, to]) => (
          <div key={`seen-${from}`} className="recon__pair recon__pair--seen" data-testid="recon-seen">
            {augmented.slice(from, to).map((px, i) => (
              <SeenTile key={i} pixels={px} grid={recon!} first={i === 0} />
            ))}
          </div>
        ))}
    </div>
  );
}
