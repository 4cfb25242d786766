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

function Tile({ pixels, grid, title }: { pixels: number[]; grid: ReconstructionGrid; title: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => paint(ref.current!, pixels, grid.height, grid.width, grid.channels), [pixels, grid]);
  return <canvas ref={ref} className="recon__tile" title={title} />;
}

const PER_ROW = 4;

function chunk(length: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let from = 0; from < length; from += size) out.push([from, Math.min(from + size, length)]);
  return out;
}

export function ReconGrid({ recon, classNames }: { recon: ReconstructionGrid | null; classNames: string[] }) {
  const count = recon ? recon.originals.length + recon.reconstructions.length : 0;
  return (
    <div className="recon" data-testid="recon-grid" data-point-count={count}>
      {recon ? (
        // Rows of four: each input directly above its reconstruction, so the eye compares pairs.
        chunk(recon.originals.length, PER_ROW).map(([from, to]) => (
          <div key={from} className="recon__pair">
            <span className="recon__label">in</span>
            {recon.originals.slice(from, to).map((px, i) => (
              <Tile key={i} pixels={px} grid={recon} title={classNames[recon.labels[from + i]!] ?? ''} />
            ))}
            <span className="recon__label">out</span>
            {recon.reconstructions.slice(from, to).map((px, i) => (
              <Tile key={i} pixels={px} grid={recon} title={`reconstruction of ${classNames[recon.labels[from + i]!] ?? 'image'}`} />
            ))}
          </div>
        ))
      ) : (
        <p className="muted empty">Reconstructions of 8 validation images appear after the first epoch.</p>
      )}
    </div>
  );
}
