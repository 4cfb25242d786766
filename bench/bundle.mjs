// `node bench/bundle.mjs [outDir]`: the bench as one folder that runs on a linux-x64 machine with
// no network and no Node (the device machine): see bench/device.md. Writes .device/ (ignored):
//   run.sh                        the one script (bench/deviceRun.sh)
//   bench.cjs, trainWorker.cjs    esbuild bundles of bench/run.ts and the trainer's worker thread
//                                 (main/backend/workers/entry.ts finds the worker beside the bench)
//   gpuNote.cjs                   which GPU main/backend/engine/gpuInfo.ts finds (bench/gpuNote.ts)
//   reference_torch.py            the PyTorch peer
//   assets/datasets/fashion-mnist/   the built-in dataset
//   node_modules/onnxruntime-node/   package.json, dist/*.js and bin/napi-v6/linux/x64/ with
//                                 libonnxruntime.so.1.xz and onnxruntime_binding.node.xz (this platform only)
//   node_modules/onnxruntime-common/ package.json and dist/cjs/*.js
//   node.xz                       this Node binary, compressed (the device machine has none)
//   libvulkan1.deb                the Vulkan loader, where apt-get could fetch it (unpacked under /tmp there)
// and checks the folder stays under the 64 MiB a device call carries (less the tracked tree).
// No CUDA provider: onnxruntime-node fetches it from NuGet at install (not npm), and it is larger
// than the whole call allows (bench/device.md).
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

if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('bench/bundle.mjs packs this Node binary and ONNX Runtime for linux-x64: run it on linux-x64');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// onnxruntime-node stays outside the bundle (its binding loads bin/napi-v6/<platform>/<arch>/ from
// its own folder) and is copied beside it; sharp (image folders only) is replaced by a stub: the
// bench uses the built-in data.
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

const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: { bench: 'bench/run.ts', trainWorker: 'main/backend/trainWorker.ts', gpuNote: 'bench/gpuNote.ts' },
  outdir: out,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  external: ['onnxruntime-node'],
  plugins: [stubSharp],
  metafile: true,
  logLevel: 'warning',
  // Our sources use import.meta (ESM under tsx); in the CommonJS bundles it is the bundle's own file.
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__importMetaUrl', 'import.meta.dirname': '__dirname' },
});
// The first engine must not come back in through an import: its packages need files this bundle does not carry.
const stale = Object.keys(metafile.inputs).filter((f) => /node_modules\/(@tensorflow|webgpu)\//.test(f));
if (stale.length) notes.push(`the bundles still import the first engine (${[...new Set(stale.map((f) => f.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1')))].join(', ')})`);

copyFileSync(join(root, 'bench', 'reference_torch.py'), join(out, 'reference_torch.py'));
copyFileSync(join(root, 'bench', 'deviceRun.sh'), join(out, 'run.sh'));
chmodSync(join(out, 'run.sh'), 0o755);
cpSync(join(root, 'assets', 'datasets', 'fashion-mnist'), join(out, 'assets', 'datasets', 'fashion-mnist'), { recursive: true });
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: 'bottleneck-bench-bundle', version: pkg.version, private: true }, null, 2)}\n`);

const xz = (from, to) => execFileSync('sh', ['-c', 'xz -T2 -6 -c "$1" > "$2"', 'xz', from, to]);
/** A package's folder as `req` finds it (from its entry: onnxruntime-common exports no package.json). */
function packageDir(name, req = require) {
  for (let dir = dirname(req.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name === name) return dir;
  }
  throw new Error(`no package.json of ${name} above ${req.resolve(name)}`);
}
/** A package's package.json and the .js files of `jsDir` (with its own package.json, which may set the module type), nothing else (no maps, no typings). */
function copyPackageJs(name, jsDir, from = packageDir(name)) {
  const dest = join(out, 'node_modules', name);
  mkdirSync(join(dest, jsDir), { recursive: true });
  copyFileSync(join(from, 'package.json'), join(dest, 'package.json'));
  for (const f of readdirSync(join(from, jsDir)).filter((f) => f.endsWith('.js') || f === 'package.json')) copyFileSync(join(from, jsDir, f), join(dest, jsDir, f));
  return { from, dest };
}

// ONNX Runtime: the binding and the runtime (WebGPU's Dawn is linked into it) for linux-x64 only,
// compressed; run.sh unpacks them where dist/binding.js looks.
const ort = copyPackageJs('onnxruntime-node', 'dist');
const ortBin = join('bin', 'napi-v6', 'linux', 'x64');
mkdirSync(join(ort.dest, ortBin), { recursive: true });
for (const f of ['libonnxruntime.so.1', 'onnxruntime_binding.node']) xz(join(ort.from, ortBin, f), join(ort.dest, ortBin, `${f}.xz`));
// The onnxruntime-common that onnxruntime-node itself loads, at the top of node_modules where it finds it.
const common = copyPackageJs('onnxruntime-common', join('dist', 'cjs'), packageDir('onnxruntime-common', createRequire(join(ort.from, 'package.json'))));
const ortVersion = JSON.parse(readFileSync(join(ort.from, 'package.json'), 'utf8')).version;
const commonVersion = JSON.parse(readFileSync(join(common.from, 'package.json'), 'utf8')).version;
if (commonVersion !== ortVersion) notes.push(`onnxruntime-common ${commonVersion} beside onnxruntime-node ${ortVersion}: the versions should match`);

xz(process.execPath, join(out, 'node.xz'));

// The Vulkan loader, for a machine without one (the WebGPU provider's Dawn needs libvulkan.so.1; the GPU driver brings the ICD).
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
console.log(
  `${relative(root, out) || out}: ${files.length} files, ${mib(total)} (onnxruntime-node ${ortVersion}, node ${process.version}); with the tracked tree (${mib(tracked)}) ${mib(total + tracked)} of the ${mib(LIMIT)} a device call carries; built in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
for (const n of notes) console.log(`note: ${n}`);
if (total + tracked > LIMIT) {
  console.error('too large for one device call');
  process.exit(1);
}
