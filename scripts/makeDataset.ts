/**
 * Builds the built-in dataset (assets/datasets/fashion-mnist) from Debian's dataset-fashion-mnist:
 * the first TRAIN_COUNT training and TEST_COUNT test images, as gzipped IDX files.
 * Usage: npm run dataset [-- SOURCE_DIR]
 */
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { encodeIdx, parseIdx } from '../core/data/dataset';

const TRAIN_COUNT = 10_000;
const TEST_COUNT = 1_000;
const source = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const target = join(import.meta.dirname, '..', 'assets', 'datasets', 'fashion-mnist');

if (!existsSync(source)) {
  console.error(`${source} not found: install it with "apt-get install dataset-fashion-mnist"`);
  process.exit(1);
}
mkdirSync(target, { recursive: true });

function subset(file: string, count: number, outName: string) {
  const { dims, data } = parseIdx(gunzipSync(readFileSync(join(source, file))), file);
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  const out = encodeIdx([count, ...dims.slice(1)], data.subarray(0, count * per));
  writeFileSync(join(target, outName), gzipSync(out, { level: 9 }));
}
subset('train-images-idx3-ubyte.gz', TRAIN_COUNT, 'train-images.idx.gz');
subset('train-labels-idx1-ubyte.gz', TRAIN_COUNT, 'train-labels.idx.gz');
subset('t10k-images-idx3-ubyte.gz', TEST_COUNT, 'test-images.idx.gz');
subset('t10k-labels-idx1-ubyte.gz', TEST_COUNT, 'test-labels.idx.gz');
writeFileSync(
  join(target, 'dataset.json'),
  `${JSON.stringify(
    {
      id: 'builtin:fashion-mnist',
      name: 'Fashion-MNIST (built-in subset)',
      source: 'https://github.com/zalandoresearch/fashion-mnist (Debian package dataset-fashion-mnist)',
      height: 28,
      width: 28,
      channels: 1,
      train: TRAIN_COUNT,
      test: TEST_COUNT,
      classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    },
    null,
    2,
  )}\n`,
);
const licence = '/usr/share/doc/dataset-fashion-mnist/copyright';
if (existsSync(licence)) copyFileSync(licence, join(target, 'LICENSE'));
console.log(`wrote ${TRAIN_COUNT} training and ${TEST_COUNT} test images to ${target}`);
