import { describe, expect, it } from 'vitest';
import { mapPointsCsv } from './mapCsv';
import { testLatentMap } from './testMap';

describe('a selection of map points as CSV', () => {
  it('lists the images in the order given, with their class, error and place on this map', () => {
    expect(mapPointsCsv(testLatentMap({}), ['Coat', 'Bag'], [2, 0])).toBe('index,label,class,error,umap1,umap2\n30,1,Bag,0.03,3,-4\n10,1,Bag,0.01,0.5,2\n');
  });

  it('names the files of a folder (quoted where they need it) and the PCA axes', () => {
    const csv = mapPointsCsv(testLatentMap({ method: 'pca', files: ['a/1.png', 'b/x,y.png', 'a/3.png'] }), ['a', 'b'], [1]);
    expect(csv).toBe('index,file,label,class,error,pc1,pc2\n20,"b/x,y.png",0,a,0.02,-1.25,0.125\n');
  });
});
