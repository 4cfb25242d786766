/** Images held as one Uint8 buffer (HWC, row-major, 0..255); a float copy is made per batch only. */
export interface ImageSplit {
  /** All images, `count` × imageSize bytes; empty when the split is streamed (see readImage). */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  /**
   * Set for a dataset too large for memory: reads image `index` from disk. The returned bytes are
   * only valid until the next call.
   */
  readImage?: (index: number) => Uint8Array;
}

/** Image `index` of a split, in memory or streamed; valid until the next read of a streamed split. */
export function imageAt(split: ImageSplit, size: number, index: number): Uint8Array {
  return split.readImage ? split.readImage(index) : split.images.subarray(index * size, (index + 1) * size);
}

/** What every description of a dataset starts with: its id and name, image shape and classes. */
export interface DatasetIdentity {
  id: string;
  name: string;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  /** The classes the training split keeps when it is not all of them (the dataset id's `classes`). */
  trainedClasses?: number[];
}

/** A dataset's identity with the size of each split: what lists, run records and caches keep. */
export interface DatasetSummary extends DatasetIdentity {
  trainCount: number;
  validationCount: number;
}

export interface ImageDataset extends DatasetIdentity {
  train: ImageSplit;
  validation: ImageSplit;
}

export function imageSize(ds: Pick<ImageDataset, 'height' | 'width' | 'channels'>): number {
  return ds.height * ds.width * ds.channels;
}

/** Parses an IDX file (the MNIST family's format): magic, dims, then unsigned bytes. */
export function parseIdx(bytes: Uint8Array, name: string): { dims: number[]; data: Uint8Array } {
  if (bytes.length < 4) throw new Error(`${name}: too short to be an IDX file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >> 8) & 0xff;
  const rank = magic & 0xff;
  if (magic >> 16 !== 0 || type !== 0x08 || rank < 1 || rank > 4) {
    throw new Error(`${name}: not an unsigned-byte IDX file (magic 0x${magic.toString(16)})`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + i * 4));
  const offset = 4 + rank * 4;
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - offset !== size) {
    throw new Error(`${name}: expected ${size} data bytes for dims ${dims.join('x')}, found ${bytes.length - offset}`);
  }
  return { dims, data: bytes.subarray(offset) };
}

export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + dims.length * 4 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (0x08 << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + i * 4, d));
  out.set(data, 4 + dims.length * 4);
  return out;
}

/** The first `trainCount` and `validationCount` images: quick experiments and fast tests on real data. */
export function subsetDataset(ds: ImageDataset, trainCount: number, validationCount: number): ImageDataset {
  const size = imageSize(ds);
  const cut = (split: ImageSplit, count: number): ImageSplit => {
    const n = Math.min(count, split.count);
    if (split.readImage) return { ...split, labels: split.labels.subarray(0, n), count: n };
    return { images: split.images.subarray(0, n * size), labels: split.labels.subarray(0, n), count: n };
  };
  return { ...ds, id: `${ds.id}?train=${trainCount}&validation=${validationCount}`, train: cut(ds.train, trainCount), validation: cut(ds.validation, validationCount) };
}

/** A split with the images of `classes` only, in their order: copied, or read through for a streamed split. */
export function keepClasses(split: ImageSplit, size: number, classes: readonly number[]): ImageSplit {
  const wanted = new Set(classes);
  const kept: number[] = [];
  for (let i = 0; i < split.count; i++) if (wanted.has(split.labels[i]!)) kept.push(i);
  const labels = Uint8Array.from(kept, (i) => split.labels[i]!);
  if (split.readImage) {
    const read = split.readImage;
    return { images: new Uint8Array(0), labels, count: kept.length, readImage: (index) => read(kept[index]!) };
  }
  const images = new Uint8Array(kept.length * size);
  kept.forEach((from, to) => images.set(split.images.subarray(from * size, (from + 1) * size), to * size));
  return { images, labels, count: kept.length };
}

/** "9 of 10 classes": what a dataset's name adds when its training split keeps some classes only. */
export function classesNote(kept: number, total: number): string {
  return `${kept} of ${total} classes`;
}
