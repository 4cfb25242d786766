import { describe, expect, it } from 'vitest';
import { childPath, exportFolderName } from './folderName';

describe('export folder names', () => {
  it('names a new folder after the run and the format, safe on any file system', () => {
    expect(exportFolderName('Undercomplete autoencoder 3', 'onnx')).toBe('Undercomplete-autoencoder-3-onnx');
    expect(exportFolderName('a/b:c*?', 'tfjs')).toBe('a-b-c-tfjs');
    expect(exportFolderName('///', 'pytorch')).toBe('model-pytorch');
  });

  it('joins it to a folder with the separator the folder uses', () => {
    expect(childPath('/home/me/models/', 'x-onnx')).toBe('/home/me/models/x-onnx');
    expect(childPath('/', 'x-onnx')).toBe('/x-onnx');
    expect(childPath('C:\\Users\\me', 'x-onnx')).toBe('C:\\Users\\me\\x-onnx');
  });
});
