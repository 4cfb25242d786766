import { describe, expect, it } from 'vitest';
import { builtinDatasetId, describeDatasetId, folderDatasetId, isBuiltinDatasetId, isFolderDatasetId, parseDatasetId, withClasses } from './datasetId';
import type { Preprocessing } from './preprocessing';

const settings: Preprocessing = { height: 32, width: 24, channels: 3, fit: 'contain', validationSplit: 0.25, seed: 7, background: 'white' };

describe('dataset ids', () => {
  it('reads a built-in id with and without a subset, and writes it back the same', () => {
    expect(parseDatasetId('builtin:fashion-mnist')).toEqual({ kind: 'builtin', name: 'fashion-mnist' });
    expect(parseDatasetId('builtin:fashion-mnist?train=2048&validation=256')).toEqual({ kind: 'builtin', name: 'fashion-mnist', train: 2048, validation: 256 });
    expect(parseDatasetId('builtin:fashion-mnist?validation=10')).toEqual({ kind: 'builtin', name: 'fashion-mnist', validation: 10 });
    expect(builtinDatasetId('fashion-mnist', { train: 2048, validation: 256 })).toBe('builtin:fashion-mnist?train=2048&validation=256');
    expect(builtinDatasetId('fashion-mnist')).toBe('builtin:fashion-mnist');
    expect(isBuiltinDatasetId('builtin:x')).toBe(true);
    expect(isBuiltinDatasetId('folder:x')).toBe(false);
  });

  it('round-trips a folder id, whatever the path holds (spaces, ?, &, non-ASCII)', () => {
    for (const path of ['/data/my pets', '/odd/a?b&c=d', 'C:\\Users\\zoë\\Bilder', '/x/%41']) {
      const id = folderDatasetId(path, settings);
      expect(isFolderDatasetId(id)).toBe(true);
      expect(parseDatasetId(id)).toEqual({ kind: 'folder', path, preprocessing: settings });
    }
    // Settings left out take their defaults; an id without bg was written when transparency was always flattened on black.
    expect(parseDatasetId('folder:%2Fd')).toEqual({ kind: 'folder', path: '/d', preprocessing: { height: 28, width: 28, channels: 1, fit: 'cover', validationSplit: 0.1, seed: 42, background: 'black' } });
  });

  it('carries what transparent pixels become (white, black or a kept alpha channel), so every reader of the run applies it', () => {
    for (const background of ['white', 'black', 'alpha'] as const) {
      const id = folderDatasetId('/icons', { ...settings, background });
      expect(id).toContain(`bg=${background}`);
      expect(parseDatasetId(id)).toMatchObject({ preprocessing: { background } });
    }
    expect(() => parseDatasetId('folder:%2Fd?bg=grey')).toThrow('bg must be one of white, black, alpha');
  });

  it('reads as a sentence, the path readable', () => {
    expect(describeDatasetId(folderDatasetId('/home/me/my icons', settings))).toBe('the image folder /home/me/my icons (32×24 RGB, contain, 25 % held out for validation, seed 7, transparent pixels composited onto white)');
    expect(describeDatasetId(folderDatasetId('/i', { ...settings, channels: 1, background: 'alpha' }, [0, 2]))).toBe('the image folder /i (32×24 grayscale with alpha, contain, 25 % held out for validation, seed 7, transparency kept as an alpha channel, training on classes 0, 2)');
    expect(describeDatasetId('builtin:fashion-mnist')).toBe('the built-in fashion-mnist');
    expect(describeDatasetId('builtin:fashion-mnist?train=2000&validation=500')).toBe('the built-in fashion-mnist (the first 2000 training and the first 500 validation images)');
    expect(describeDatasetId('nonsense')).toBe('nonsense');
  });

  it('carries the classes training keeps, sorted and without repeats, and round-trips with them', () => {
    const id = builtinDatasetId('fashion-mnist', { train: 512 }, [3, 0, 2, 3]);
    expect(id).toBe('builtin:fashion-mnist?train=512&classes=0,2,3');
    expect(parseDatasetId(id)).toEqual({ kind: 'builtin', name: 'fashion-mnist', train: 512, classes: [0, 2, 3] });
    expect(builtinDatasetId('fashion-mnist', {}, [1])).toBe('builtin:fashion-mnist?classes=1');
    const folder = folderDatasetId('/data/my pets', settings, [1, 0]);
    expect(parseDatasetId(folder)).toEqual({ kind: 'folder', path: '/data/my pets', preprocessing: settings, classes: [0, 1] });
    // Set, replaced and removed on any id, the rest kept.
    expect(withClasses('builtin:fashion-mnist?train=512&validation=64', [0, 1, 2, 4])).toBe('builtin:fashion-mnist?train=512&validation=64&classes=0,1,2,4');
    expect(withClasses(id, [5])).toBe('builtin:fashion-mnist?train=512&classes=5');
    expect(withClasses(id, null)).toBe('builtin:fashion-mnist?train=512');
    expect(withClasses(folder, null)).toBe(folderDatasetId('/data/my pets', settings));
    expect(parseDatasetId(withClasses(folderDatasetId('/odd/a?b&classes=1', settings), [2]))).toMatchObject({ path: '/odd/a?b&classes=1', classes: [2] });
  });

  it('names what is wrong with a bad id', () => {
    expect(() => parseDatasetId('mnist')).toThrow('unknown dataset "mnist": an id starts with builtin: or folder:');
    expect(() => parseDatasetId('builtin:')).toThrow('no built-in dataset named');
    expect(() => parseDatasetId('builtin:fashion-mnist?train=0')).toThrow('dataset "builtin:fashion-mnist?train=0": train must be a whole number ≥ 1');
    expect(() => parseDatasetId('builtin:fashion-mnist?validation=1.5')).toThrow('validation must be a whole number ≥ 1');
    expect(() => parseDatasetId('folder:%2Fd?c=2')).toThrow('c must be 1 (grayscale) or 3 (RGB)');
    expect(() => parseDatasetId('folder:%2Fd?fit=stretch')).toThrow('fit must be one of cover, contain, fill');
    expect(() => parseDatasetId('folder:%2Fd?split=0.95')).toThrow('split must be between 0 and 0.9');
    expect(() => parseDatasetId('folder:%2Fd?h=513')).toThrow('h must be a whole number from 1 to 512');
    expect(() => parseDatasetId('folder:%E0%A4%A?h=8')).toThrow('the folder path is not properly encoded');
    for (const bad of ['', '1,,2', '-1', '1.5', 'a', '10000']) expect(() => parseDatasetId(`builtin:fashion-mnist?classes=${bad}`)).toThrow('classes must be class numbers from 0 to 9999, separated by commas');
  });
});
