// `node bench/bundle.mjs [outDir]`: the bench as one folder that runs on a linux-x64 machine with
// no network and no Node (the device machine): see bench/device.md. Writes .device/ (ignored):
//   run.sh                 the one script (bench/deviceRun.sh)
//   bench.cjs, trainWorker.cjs, parallelWorker.cjs   esbuild bundles of bench/run.ts and the trainer's threads
//   webgpuProbe.mjs, reference_torch.py               the adapter probe and the PyTorch peer
//   tfjs-backend-wasm*.wasm                           tfjs's wasm binaries (found beside the bundle)
//   assets/datasets/fashion-mnist/                    the built-in dataset
//   node_modules/webgpu/   index.js, package.json, dist/linux-x64/dawn.node.xz (Dawn, this platform only)
//   node.xz                this Node binary, compressed (the device machine has none)
//   libvulkan1.deb         the Vulkan loader, where apt-get could fetch it (unpacked under /tmp there)
// and checks the folder stays under the 64 MiB a device call carries (less the tracked tree).
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = process.argv[2] ?? join(root, '.device');
const LIMIT = 64 * 1024 * 1024;
const require = createRequire(join(root, 'package.json'));
const started = Date.now();
const notes = [];

if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('bench/bundle.mjs packs this Node binary and Dawn for linux-x64: run it on linux-x64');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const resolvable = (name) => {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
};

// Native or absent packages stay outside the bundle: tfjs-node(-gpu) are not shipped (the trainer
// says "not installed" and moves on), webgpu is copied beside it (its index.js finds dawn.node from
// its own folder), and sharp (image folders only) is replaced by a stub: the bench uses the built-in data.
const external = ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
if (!resolvable('@tensorflow/tfjs-backend-webgpu')) external.push('@tensorflow/tfjs-backend-webgpu');
const stubSharp = {
  name: 'stub-sharp',
  setup(b) {
    b.onResolve({ filter: /^sharp$/ }, () => ({ path: 'sharp', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'module.exports = () => { throw new Error("image folders need sharp, which the device bundle leaves out: use the built-in dataset"); };',
      loader: 'js',
    }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: { bench: 'bench/run.ts', trainWorker: 'main/backend/trainWorker.ts', parallelWorker: 'main/backend/parallelWorker.ts' },
  outdir: out,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  external,
  plugins: [stubSharp],
  logLevel: 'warning',
  // Our sources use import.meta (ESM under tsx); in the CommonJS bundles it is the bundle's own file.
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__importMetaUrl', 'import.meta.dirname': '__dirname' },
});

for (const file of ['webgpuProbe.mjs', 'reference_torch.py']) copyFileSync(join(root, 'bench', file), join(out, file));
copyFileSync(join(root, 'bench', 'deviceRun.sh'), join(out, 'run.sh'));
chmodSync(join(out, 'run.sh'), 0o755);

const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(out, f));

cpSync(join(root, 'assets', 'datasets', 'fashion-mnist'), join(out, 'assets', 'datasets', 'fashion-mnist'), { recursive: true });
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: 'bottleneck-bench-bundle', version: pkg.version, private: true }, null, 2)}\n`);

const xz = (from, to) => execFileSync('sh', ['-c', 'xz -T2 -6 -c "$1" > "$2"', 'xz', from, to]);

if (resolvable('webgpu')) {
  const webgpuDir = dirname(require.resolve('webgpu'));
  const dest = join(out, 'node_modules', 'webgpu');
  mkdirSync(join(dest, 'dist', 'linux-x64'), { recursive: true });
  for (const f of ['index.js', 'package.json', 'LICENSE.md']) copyFileSync(join(webgpuDir, f), join(dest, f));
  xz(join(webgpuDir, 'dist', 'linux-x64', 'dawn.node'), join(dest, 'dist', 'linux-x64', 'dawn.node.xz'));
} else {
  notes.push('webgpu (npm) is not installed: the bundle has no Dawn, and its webgpu rows will be skipped');
}

xz(process.execPath, join(out, 'node.xz'));

// The Vulkan loader, for a machine without one (Dawn needs libvulkan.so.1; the GPU driver brings the ICD).
const deb = spawnSync('apt-get', ['download', 'libvulkan1'], { cwd: out, encoding: 'utf8' });
const debs = readdirSync(out).filter((f) => /^libvulkan1_.*\.deb$/.test(f));
if (deb.status === 0 && debs.length === 1) execFileSync('mv', [join(out, debs[0]), join(out, 'libvulkan1.deb')]);
else notes.push(`libvulkan1.deb not included (apt-get download libvulkan1: ${(deb.stderr || deb.error?.message || '').trim().split('\n').pop()}): the device machine must have libvulkan.so.1`);

function sizes(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sizes(p) : [[relative(out, p), statSync(p).size]];
  });
}
const files = sizes(out).sort((a, b) => b[1] - a[1]);
const total = files.reduce((s, [, n]) => s + n, 0);
// What else a device call carries: the tracked tree (unknown outside a git checkout).
let tracked = 0;
try {
  tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(root, f)))
    .reduce((s, f) => s + statSync(join(root, f)).size, 0);
} catch {
  notes.push('not a git checkout: the tracked tree is not counted');
}
const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
for (const [f, n] of files.slice(0, 10)) console.log(`${mib(n).padStart(9)}  ${f}`);
console.log(`${relative(root, out) || out}: ${files.length} files, ${mib(total)}; with the tracked tree (${mib(tracked)}) ${mib(total + tracked)} of the ${mib(LIMIT)} a device call carries; built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const n of notes) console.log(`note: ${n}`);
if (total + tracked > LIMIT) {
  console.error('too large for one device call');
  process.exit(1);
}
