/**
 * Decoding one image file to the chosen size and colour with sharp (BMP and plain PNG by core's
 * decoders): its header read first, so an image declaring too many pixels is refused undecoded.
 */
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { inflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { decodeBmpInSteps } from '../../core/data/bmp';
import { decodeSimplePng } from '../../core/data/png';
import type { ImageProbe, Preprocessing } from '../../core/data/folder';
import { decodedChannels } from '../../core/data/preprocessing';
import { imageTooManyPixels, MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS } from '../../core/limits';
import { readFileSafeAsync } from './safeRead';

export interface ImageHeader extends ImageProbe {
  alpha: boolean;
}

/** A BMP's size from its first 26 bytes (libvips reads no BMP); its colour is RGB, never transparent here. */
function bmpHeader(head: Uint8Array): ImageHeader {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 26 || head[0] !== 0x42 || head[1] !== 0x4d) throw new Error('not a BMP file');
  return { width: view.getInt32(18, true), height: Math.abs(view.getInt32(22, true)), channels: 3, alpha: false };
}

/**
 * An image's size and colour channels (alpha apart) from its header only: its bytes, or a file read
 * no further than the header; `ext` (".bmp") picks the BMP reader sharp lacks.
 */
export async function imageHeader(input: Buffer | string, ext: string): Promise<ImageHeader> {
  if (ext === '.bmp') {
    if (typeof input !== 'string') return bmpHeader(input);
    const file = await open(input, 'r');
    try {
      const head = new Uint8Array(26);
      const { bytesRead } = await file.read(head, 0, 26, 0);
      return bmpHeader(head.subarray(0, bytesRead));
    } finally {
      await file.close();
    }
  }
  const m = await sharp(input, { pages: 1 }).metadata();
  const colour = m.space === 'b-w' || m.channels === 1 || (m.channels === 2 && m.hasAlpha) ? 1 : 3;
  return { width: m.width ?? 0, height: m.height ?? 0, channels: colour, alpha: Boolean(m.hasAlpha) };
}

/** Decodes one file to exactly height × width × decodedChannels(p) bytes. */
export async function decodeOne(file: string, p: Preprocessing): Promise<Uint8Array> {
  return decodeImage(await readFileSafeAsync(file, MAX_IMAGE_FILE_BYTES), extname(file).toLowerCase(), p);
}

/** An image declaring more pixels than are read (MAX_IMAGE_PIXELS): skipped, with why. */
export class ImageTooLarge extends Error {
  override name = 'ImageTooLarge';
}

/** Why a file was left out when decoding, as the skip lists say it. */
export function decodeSkipReason(err: unknown): string {
  const message = String((err as Error).message).split('\n')[0];
  return err instanceof ImageTooLarge ? `too large: ${message}` : `cannot decode: ${message}`;
}

/**
 * An image file's bytes decoded to exactly height × width × decodedChannels(p) bytes; `ext` (".bmp",
 * ".png") as decodeOne. The declared size is read from the header first: an image over
 * MAX_IMAGE_PIXELS throws ImageTooLarge without being decoded. Larger ones are read row by row and
 * shrunk as they are read, so a 100-megapixel photo costs about 100 MB, not its full size.
 * Transparent pixels become p.background (white, black, or a kept alpha channel).
 */
export async function decodeImage(bytes: Buffer, ext: string, p: Preprocessing): Promise<Uint8Array> {
  const keepAlpha = p.background === 'alpha';
  let image: Sharp;
  if (ext === '.bmp') {
    // The declared size first: a small file declaring a huge image is refused before it is decoded.
    const declared = bmpHeader(bytes);
    const tooLarge = imageTooManyPixels(declared.width, declared.height);
    if (tooLarge) throw new ImageTooLarge(tooLarge);
    const bmp = await decodeYielding(decodeBmpInSteps(new Uint8Array(bytes)));
    image = sharp(Buffer.from(bmp.rgb.buffer, bmp.rgb.byteOffset, bmp.rgb.byteLength), { raw: { width: bmp.width, height: bmp.height, channels: 3 } });
  } else {
    if (ext === '.png') {
      // Plain 8-bit PNGs (no transparency) already at the chosen size need no resampling: decode them here, fast.
      const png = decodeSimplePng(bytes, inflateSync, p);
      const colour = !png ? null : png.channels === p.channels ? png.pixels : png.channels === 1 ? grayToRgb(png.pixels) : null;
      if (colour) return keepAlpha ? withOpaqueAlpha(colour, p.channels) : colour;
    }
    const { width = 0, height = 0 } = await sharp(bytes, { pages: 1 }).metadata();
    const tooLarge = imageTooManyPixels(width, height);
    if (tooLarge) throw new ImageTooLarge(tooLarge);
    // Only the first frame of an animation; refuse truncated files instead of decoding half an image.
    image = sharp(bytes, { failOn: 'truncated', pages: 1, limitInputPixels: MAX_IMAGE_PIXELS, sequentialRead: true });
  }
  const background = p.background === 'white' ? '#ffffff' : '#000000';
  image = keepAlpha ? image.ensureAlpha() : image.flatten({ background });
  image = image.resize(p.width, p.height, { fit: p.fit, background: keepAlpha ? { r: 0, g: 0, b: 0, alpha: 0 } : background });
  image = p.channels === 1 && !keepAlpha ? image.grayscale() : image.toColourspace('srgb');
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  // libvips' grayscale drops alpha: convert the colour of the small RGBA image, then put alpha back.
  if (p.channels === 1 && keepAlpha && info.channels === 4 && data.length === p.width * p.height * 4) return grayWithAlpha(data, p.width, p.height);
  const channels = decodedChannels(p);
  if (info.channels !== channels || data.length !== p.width * p.height * channels) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}`);
  }
  return data;
}

/** Runs a decoder in steps, letting the event loop in between them: a large BMP never holds up the server. */
async function decodeYielding<T>(steps: Generator<void, T>): Promise<T> {
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

async function grayWithAlpha(rgba: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const gray = await sharp(rgba, { raw: { width, height, channels: 4 } }).removeAlpha().grayscale().raw().toBuffer();
  const out = new Uint8Array(width * height * 2);
  for (let i = 0; i < width * height; i++) {
    out[i * 2] = gray[i]!;
    out[i * 2 + 1] = rgba[i * 4 + 3]!;
  }
  return out;
}

function grayToRgb(gray: Uint8Array): Uint8Array {
  const rgb = new Uint8Array(gray.length * 3);
  for (let i = 0; i < gray.length; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = gray[i]!;
  return rgb;
}

/** Colour pixels with an alpha channel of 255 after each pixel's `channels` values. */
function withOpaqueAlpha(colour: Uint8Array, channels: number): Uint8Array {
  const pixels = colour.length / channels;
  const out = new Uint8Array(pixels * (channels + 1)).fill(255);
  for (let i = 0; i < pixels; i++) out.set(colour.subarray(i * channels, (i + 1) * channels), i * (channels + 1));
  return out;
}
