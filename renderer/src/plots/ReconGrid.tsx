import { useEffect, useRef } from 'react';
import type { ReconstructionGrid } from '../../../core/train/events';

/** Draws one image (0..255, HWC, 1 or 3+ channels) into a canvas at its native size; CSS scales it crisply. */
function paint(canvas: HTMLCanvasElement, pixels: number[], height: number, width: number, channels: number) {
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

export function ReconGrid({ recon, classNames }: { recon: ReconstructionGrid | null; classNames: string[] }) {
  const count = recon ? recon.originals.length + recon.reconstructions.length : 0;
  return (
    <div className="recon" data-testid="recon-grid" data-point-count={count}>
      {recon ? (
        <>
          <span className="recon__label">input</span>
          <div className="recon__row">
            {recon.originals.map((px, i) => (
              <Tile key={i} pixels={px} grid={recon} title={classNames[recon.labels[i]!] ?? ''} />
            ))}
          </div>
          <span className="recon__label">output</span>
          <div className="recon__row">
            {recon.reconstructions.map((px, i) => (
              <Tile key={i} pixels={px} grid={recon} title={`reconstruction of ${classNames[recon.labels[i]!] ?? 'image'}`} />
            ))}
          </div>
        </>
      ) : (
        <p className="muted empty">Reconstructions of 8 validation images appear after the first epoch.</p>
      )}
    </div>
  );
}
