/**
 * Images as the backend sends them (ImageBatch: base64 bytes 0..255, HWC, image after image) painted
 * into canvases: one image, a row, a grid, and a grid as a PNG file to save.
 */
import { memo, useEffect, useMemo, useRef } from 'react';
import type { ImageBatch } from '../../../core/api';

/** The batch's bytes (decoded once per batch object). */
const decoded = new WeakMap<ImageBatch, Uint8Array>();
export function batchBytes(batch: ImageBatch): Uint8Array {
  let bytes = decoded.get(batch);
  if (!bytes) {
    const text = atob(batch.pixels);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    decoded.set(batch, bytes);
  }
  return bytes;
}

/** Writes image `index` of a batch into an RGBA buffer at (x0, y0) of a `stride`-wide picture. */
function blit(out: Uint8ClampedArray, stride: number, x0: number, y0: number, batch: ImageBatch, index: number): void {
  const bytes = batchBytes(batch);
  const { height: h, width: w, channels: c } = batch;
  const base = index * h * w * c;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = base + (y * w + x) * c;
      const dst = ((y0 + y) * stride + x0 + x) * 4;
      const r = bytes[src]!;
      out[dst] = r;
      out[dst + 1] = c >= 3 ? bytes[src + 1]! : r;
      out[dst + 2] = c >= 3 ? bytes[src + 2]! : r;
      out[dst + 3] = 255;
    }
  }
}

/** Paints images [from, from + count) of a batch side by side, `columns` per row, into a canvas at native size. */
export function paintBatch(canvas: HTMLCanvasElement, batch: ImageBatch, from = 0, count = batch.count, columns = count, gap = 0): void {
  const rows = Math.max(1, Math.ceil(count / columns));
  const width = columns * batch.width + (columns - 1) * gap;
  const height = rows * batch.height + (rows - 1) * gap;
  canvas.width = Math.max(1, width);
  canvas.height = Math.max(1, height);
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let k = 0; k < count; k++) blit(image.data, canvas.width, (k % columns) * (batch.width + gap), Math.floor(k / columns) * (batch.height + gap), batch, from + k);
  ctx.putImageData(image, 0, 0);
}

/** One image of a batch, scaled crisply by CSS. */
export const ImageTile = memo(function ImageTile({ batch, index = 0, title, className = 'image-tile', testId }: { batch: ImageBatch; index?: number; title?: string; className?: string; testId?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => paintBatch(ref.current!, batch, index, 1), [batch, index]);
  return <canvas ref={ref} className={className} title={title} data-testid={testId} />;
});

/** Every image of a batch as separate tiles in a CSS grid (each can carry its own caption). */
export function ImageGrid({ batch, columns, captions, testId, onPick }: { batch: ImageBatch; columns: number; captions?: string[]; testId?: string; onPick?: (index: number) => void }) {
  const indices = useMemo(() => Array.from({ length: batch.count }, (_, i) => i), [batch]);
  return (
    <div className="image-grid" style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }} data-testid={testId} data-count={batch.count}>
      {indices.map((i) => (
        <figure key={i} className={`image-grid__cell${onPick ? ' image-grid__cell--pick' : ''}`} onClick={onPick && (() => onPick(i))}>
          <ImageTile batch={batch} index={i} className="image-tile image-tile--fill" />
          {captions?.[i] && <figcaption>{captions[i]}</figcaption>}
        </figure>
      ))}
    </div>
  );
}

/** A copy of the canvas `scale`× larger, pixels kept sharp (no smoothing). */
function scaledUp(small: HTMLCanvasElement, scale: number): HTMLCanvasElement {
  const big = document.createElement('canvas');
  big.width = small.width * scale;
  big.height = small.height * scale;
  const ctx = big.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, big.width, big.height);
  return big;
}

/** A PNG of the batch as a grid (native pixels scaled up `scale`×), for Export PNG. */
export function batchPng(batch: ImageBatch, columns: number, scale = 4, gap = 2): Promise<Blob> {
  const small = document.createElement('canvas');
  paintBatch(small, batch, 0, batch.count, columns, gap);
  const big = scaledUp(small, scale);
  return new Promise((resolve, reject) => big.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png'));
}

/** A data URL of one image (for an HTML tooltip). */
export function imageDataUrl(batch: ImageBatch, index: number, scale = 3): string {
  const canvas = document.createElement('canvas');
  paintBatch(canvas, batch, index, 1);
  return scaledUp(canvas, scale).toDataURL();
}

export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
