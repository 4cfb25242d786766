/**
 * The contract between the renderer and the backend: the only thing that crosses the process boundary.
 * Each channel takes one argument. Electron binds it to IPC, browser mode to HTTP + WebSocket, the CLI
 * calls the backend directly. Types only; the runtime checks are in apiSchema.ts.
 */
import type { GraphDoc } from './graph/types';
import type { DatasetSummary } from './data/dataset';
import type { Preprocessing } from './data/folder';
import type { LatentProjection, ReconstructionGrid, SkippedFile, TrainEvent } from './train/events';
import type { PlannedRun, PlannedSetting } from './experiments/plan';
import type { SettingValue } from './experiments/settings';
import type { OneClassStudy } from './experiments/oneClass';

export type { LatentProjection, ReconstructionGrid, RunDataset, SkippedFile, TrainEvent } from './train/events';
export type { Preprocessing } from './data/folder';

export interface BackendAttempt {
  name: string;
  /** Why it was not used, e.g. "not installed". */
  reason: string;
}

/** The GPU a webgpu backend computes on, as its driver names it. */
export interface BackendAdapter {
  vendor: string;
  architecture: string;
  description: string;
  /** A software or fallback adapter (SwiftShader, llvmpipe): slow, used only when asked for. */
  fallback: boolean;
}

/** Where training runs: automatic (fastest found), a GPU first, or the CPU only. */
export type BackendPreference = 'auto' | 'gpu' | 'cpu';

export interface BackendInfo {
  /** ONNX Runtime's execution provider in use: cuda, dml, webgpu or cpu. */
  name: string;
  /** The backends tried before it, with the reason each was passed over. */
  skipped: BackendAttempt[];
  /** The GPU, when the backend is webgpu. */
  adapter?: BackendAdapter;
}

export type DatasetInfo = DatasetSummary;

export interface AppInfo {
  version: string;
  /** Where the app runs: the Electron window or a browser tab on the local server. */
  shell: 'electron' | 'browser' | 'cli';
  /** Null until the trainer has chosen its backend. */
  backend: BackendInfo | null;
  /** The user's choice of backend, remembered in the workspace (BOTTLENECK_BACKEND overrides it). */
  backendPreference: BackendPreference;
  datasets: DatasetInfo[];
  workspace: string;
  /** Where the guide (docs/guide.md) and the documentation folder are, for the Help menu. */
  places?: Record<Place, string>;
  /** The machine's memory in bytes: with the backend, what a run may use (core/shapes/memory.ts memoryLimit). */
  totalMemory?: number;
}

/** A file or folder the Help menu opens: the guide, the documentation folder, the workspace. */
export type Place = 'guide' | 'docs' | 'workspace';

export type RunStatus = 'queued' | 'running' | 'paused' | 'finished' | 'stopped' | 'failed' | 'interrupted';

export interface RunSummary {
  id: string;
  name: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  /** Wall time from start to end (or to the last write for a run still going); null when unknown. */
  durationMs: number | null;
  datasetId: string;
  /** The dataset's display name (the folder's name for an image folder). */
  datasetName: string;
  /** The provider that trained it ("cpu ×2" with its threads); older runs name a TensorFlow.js backend. */
  backend: string | null;
  epochsDone: number;
  epochs: number;
  /** The template the graph still is, or "custom". */
  topology: string;
  codeSize: number | null;
  totalParams: number | null;
  loss: number | null;
  val_loss: number | null;
  best_val_loss: number | null;
  starred: boolean;
  error: string | null;
  /** Set when the run folder cannot be read as a whole (missing or corrupt run.json, …): the reason. */
  damaged: string | null;
  /** The user's note and tags (the run folder's notes.json); empty when none were written. */
  note: string;
  tags: string[];
  /** Set when notes.json cannot be read: the reason (the note and tags then read as empty, and saving replaces the file). */
  notesProblem: string | null;
  /** The experiment (sweep) the run is one of. */
  experimentId?: string;
}

/** One metric value, as stored in metrics.jsonl. */
export interface MetricPoint {
  /** Unix time in seconds when it was recorded. */
  t: number;
  epoch: number;
  step: number;
  key: string;
  value: number;
}

/** Everything a comparison needs of one run; curves are read on demand, not by runs:list. */
export interface RunDetail {
  summary: RunSummary;
  graph: GraphDoc;
  /** The training settings it ran with. */
  config: Record<string, unknown>;
  /** What run.json records of its dataset (at least its id). */
  dataset: Record<string, unknown> & { id: string };
  metrics: MetricPoint[];
  /** Lines of metrics.jsonl that could not be read (a torn last line after a crash). */
  skippedMetricLines: number;
  /** Epochs with a stored latent projection / reconstruction grid. */
  latentEpochs: number[];
  sampleEpochs: number[];
}

export interface RunEpochRef {
  runId: string;
  epoch: number;
}

export interface RunUpdate {
  runId: string;
  name?: string;
  starred?: boolean;
}

/** A run's note and/or tags, replaced whole (the tags as a list; core/runs/notes.ts cleans them). */
export interface RunNotesUpdate {
  runId: string;
  note?: string;
  tags?: string[];
}

/** A place of the Help menu, and whether the desktop app opened it with the system (browser mode shows the path). */
export interface PlaceShown {
  path: string;
  opened: boolean;
}

/** What the trash (runs/.trash) holds: deleted runs waiting to be restored, and the disk space they take. */
export interface TrashUsage {
  path: string;
  runs: number;
  bytes: number;
}

export interface TrainStartRequest {
  graph: GraphDoc;
  datasetId: string;
}

export interface TrainStartResult {
  runId: string;
  /** The run's name in the Runs list ("Undercomplete autoencoder (2)"). */
  name: string;
  /** Runs ahead of this one; 0 when it starts at once. */
  queuePosition: number;
}

export interface RunRef {
  runId: string;
}

export interface RunContinueRequest {
  runId: string;
  /** The run's new total of epochs (above those it trained); needed when it finished all its epochs. */
  epochs?: number;
}

export type Empty = Record<string, never>;

export interface GraphFileInfo {
  /** File name inside the workspace's graphs folder, or an absolute path the user chose in a native dialog. */
  path: string;
  name: string;
  modifiedAt: string;
  size: number;
}

export interface GraphFileText {
  path: string;
  text: string;
}

export interface GraphWriteRequest {
  path: string;
  text: string;
  /** Without it, an existing file is never replaced: the call fails with code "exists". */
  overwrite: boolean;
}

export interface FolderScanRequest extends CancellableRequest {
  path: string;
}

/** An image folder before training: what it holds, and the settings suggested for a first run. */
export interface FolderSummary {
  /** The folder's absolute path. */
  path: string;
  name: string;
  /** Image files that will be decoded (a file whose data is damaged past its header is found then). */
  fileCount: number;
  classNames: string[];
  counts: Record<string, number>;
  /** Files left out by the scan with the reason (the first 1,000), and how many in all. */
  skipped: SkippedFile[];
  skippedCount: number;
  /** Images with transparent pixels (the first 1,000), composited onto the chosen background, and how many in all. */
  transparent: string[];
  transparentCount: number;
  suggested: Preprocessing;
}

export interface FolderEntry {
  name: string;
  path: string;
}

/** One level of the backend's folder browser (browser mode has no native folder dialog). */
export interface FolderListing {
  path: string;
  parent: string | null;
  folders: FolderEntry[];
  /** Image files directly in this folder. */
  imageCount: number;
}

/** Which weights of a run to use: the best validation epoch's (default) or the last finished one's. */
export type CheckpointChoice = 'best' | 'last';

export interface ModelRef {
  runId: string;
  checkpoint?: CheckpointChoice;
}

/** A long request the caller may cancel: `jobs:cancel { jobId }` makes it reject with code 'cancelled'. */
export interface CancellableRequest {
  /** The caller's name for this job, unique among its jobs running (e.g. 'score-3'). */
  jobId?: string;
}

/** Where a trained model can go: ONNX (three .onnx files), TensorFlow.js Layers models, a PyTorch project. */
export const EXPORT_FORMATS = ['onnx', 'tfjs', 'pytorch'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportRequest extends ModelRef, CancellableRequest {
  format: ExportFormat;
  /** A new or empty folder; absent: a new folder under the workspace's exports/. */
  path?: string;
}

export interface ExportResult {
  /** The folder the files were written to. */
  dir: string;
  /** Their paths inside it. */
  files: string[];
  /** The weights exported: the best epoch's, or the last one's when the run has no best yet. */
  checkpoint: CheckpointChoice;
  epoch: number;
}

/** A trained model as the Explore view and the lab see it. */
export interface ModelInfo {
  runId: string;
  runName: string;
  checkpoint: CheckpointChoice;
  /** The epoch those weights were saved at. */
  epoch: number;
  codeSize: number;
  /** A variational bottleneck: codes are Gaussian, and sampling from N(0, I) is what it is built for. */
  variational: boolean;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  datasetId: string;
  datasetName: string;
  /** Images of the validation split the map and the lab draw from. */
  count: number;
}

/**
 * Images as they cross the boundary: pixels 0..255, HWC, image after image, base64 (compact in JSON,
 * painted straight into a canvas).
 */
export interface ImageBatch {
  count: number;
  height: number;
  width: number;
  channels: number;
  pixels: string;
  /**
   * 'float32': pixels holds little-endian float32 values in [0, 1] or beyond, for images sent to a
   * model that must not be clipped to bytes (the Lab's noisy images: noise is not clipped in
   * training either). Absent: bytes.
   */
  encoding?: 'float32';
}

export type LatentMethod = 'pca' | 'umap' | 'tsne';

export interface LatentMapRequest extends ModelRef, CancellableRequest {
  method: LatentMethod;
}

/** A 2-D PCA plane in code space (core/latent/pca.ts): point (x, y) is mean + x·axes[0] + y·axes[1]. */
export interface LatentPlane {
  mean: number[];
  axes: [number[], number[]];
}

/** The validation images in 2-D, with what the map needs to answer a hover or a click at once. */
export interface LatentMap {
  runId: string;
  epoch: number;
  method: LatentMethod;
  x: number[];
  y: number[];
  labels: number[];
  /** Index of each point in the validation split. */
  indices: number[];
  /** Each point's reconstruction error (mean squared error per pixel, pixels in [0, 1]). */
  errors: number[];
  /** File names, for image folders; null for built-in data. */
  files: string[] | null;
  /** The points' images, for hover tooltips without a round trip. */
  images: ImageBatch;
  /** The code of each point (n × codeSize, row-major), for interpolation and picking. */
  codes: number[];
  codeSize: number;
  /** How a point of the map lifts back to a code: the PCA plane, or the code itself when it is 2-D; null for UMAP and t-SNE (no inverse). */
  plane: LatentPlane | null;
  /** The map is the code itself (a 2-D code). */
  raw: boolean;
  fromCache: boolean;
  /** What the user should know (a subsample for t-SNE, no decoding off the points for UMAP). */
  note: string | null;
}

export interface DecodeRequest extends ModelRef {
  /** Codes to decode, n × codeSize (at most 256). */
  codes: number[][];
}

export interface PointRef extends ModelRef {
  /** Index into the validation split. */
  index: number;
}

/** One validation image, its reconstruction and its error. */
export interface PointDetail {
  index: number;
  label: number;
  file: string | null;
  error: number;
  /** [original, reconstruction]. */
  images: ImageBatch;
  code: number[];
}

export type InterpolationPath = 'linear' | 'spherical';

export interface InterpolateRequest extends ModelRef {
  /** Each end: a validation image (by index) or a code. */
  from: { index: number } | { code: number[] };
  to: { index: number } | { code: number[] };
  steps: number;
  path: InterpolationPath;
}

export interface SampleRequest extends ModelRef, CancellableRequest {
  count: number;
  seed: number;
  /** Scales the spread of the Gaussian (1: as it is). */
  temperature: number;
}

export interface SampleResult {
  images: ImageBatch;
  codes: number[][];
  /** 'prior': N(0, I), what a VAE is trained to decode; 'fitted': a Gaussian fitted to the training codes of a plain autoencoder. */
  source: 'prior' | 'fitted';
  note: string | null;
}

export interface TraverseRequest extends ModelRef, CancellableRequest {
  /** The code to vary (default: the mean code). */
  base?: { index: number } | { code: number[] };
  /** Dimensions to vary (default: the 8 with the widest spread). */
  dims?: number[];
  steps: number;
  /** How far each way, in standard deviations of that dimension. */
  range: number;
}

export interface TraverseResult {
  dims: number[];
  /** One image batch per dimension, `steps` images each. */
  rows: ImageBatch[];
  sigma: number[];
}

export interface ScoreRequest extends ModelRef, CancellableRequest {
  /** What to score: a dataset id (an image folder, a built-in set); default the run's own validation split. */
  datasetId?: string;
  /** How many of the most and least anomalous images come back with their reconstructions and error maps. */
  extremes?: number;
}

/** Images with their reconstructions and per-pixel error maps, index for index. */
export interface ScoredImages {
  /** Positions in the score's arrays. */
  positions: number[];
  inputs: ImageBatch;
  reconstructions: ImageBatch;
  /** Per-pixel squared error, 0..255 (scaled so the batch's largest is 255), one channel. */
  errorMaps: ImageBatch;
}

/** Every image of a dataset scored by its reconstruction error: the higher, the less like the training data. */
export interface ScoreResult {
  runId: string;
  datasetId: string;
  datasetName: string;
  count: number;
  /** Mean squared error per pixel (pixels in [0, 1]), one per image. */
  errors: number[];
  labels: number[];
  classNames: string[];
  /** File names for image folders; null for built-in data. */
  files: string[] | null;
  /** Index of each image in the dataset's split. */
  indices: number[];
  perClass: { label: number; count: number; mean: number; median: number }[];
  /** Classes of the run's own data that its training left out (its Data settings): anomalies to find. */
  heldOut: number[];
  /** Classes the run's data does not have at all (another folder's, by name): anomalies to find too. */
  newClasses: number[];
  /** Classes not trained on (held out or new) against the trained ones, when there are both (unlabeled images left out): the area under the ROC curve, and the curve ([fpr, tpr] points). */
  roc: { auc: number; points: [number, number][] } | null;
  /** The most anomalous images first. */
  highest: ScoredImages;
  /** The least anomalous first. */
  lowest: ScoredImages;
  /** Image folders: the files left out (not images, cannot be decoded, too large) with the reason (the first 1,000), and how many in all. */
  skipped: SkippedFile[];
  skippedCount: number;
}

export interface ReconstructRequest extends ModelRef {
  /** Images already the model's input size (the lab's corrupted images). */
  images: ImageBatch;
}

export interface PrepareImageRequest extends ModelRef {
  /** An image file: a path the backend can read (desktop, CLI), or the file's bytes, base64 (a file dropped on a browser). */
  path?: string;
  bytes?: string;
  name?: string;
}

/** A user's image made ready for the model: resized and converted to its input. */
export interface PreparedImage {
  image: ImageBatch;
  /** Set when the image was changed to fit: "resized from 640×480 RGB to 28×28 grayscale". */
  note: string | null;
}

/** A sweep as asked: the graph and data it starts from, the settings to vary and their values (core/experiments). */
export interface ExperimentRequest {
  graph: GraphDoc;
  datasetId: string;
  vary: { setting: string; values: string }[];
  /** N random draws with a seed instead of the whole grid. */
  random?: { count: number; seed: number };
  name?: string;
}

/** What a sweep would do, before it starts: its runs and an estimate of their time. */
export interface ExperimentPreview {
  settings: PlannedSetting[];
  runs: PlannedRun[];
  /** From the last finished run's time per epoch, times the epochs planned; null when no run has finished yet. */
  estimateMs: number | null;
  /** Where the estimate comes from: "run Undercomplete 3 at 4.1 s per epoch". */
  estimateBasis: string | null;
}

export type ExperimentStatus = 'running' | 'finished' | 'stopped' | 'interrupted';

export interface ExperimentSummary {
  id: string;
  name: string;
  status: ExperimentStatus;
  createdAt: string;
  endedAt: string | null;
  datasetId: string;
  settings: PlannedSetting[];
  random: { count: number; seed: number } | null;
  /** Runs planned, runs that ended (finished, failed or stopped), and the one training now. */
  runCount: number;
  doneCount: number;
  activeRunId: string | null;
  /** Why it stopped, when a run could not start. */
  error: string | null;
}

/** One planned run of an experiment: its values and, once it started, its run. */
export interface ExperimentRunRow {
  index: number;
  values: Record<string, SettingValue>;
  runId: string | null;
  run: RunSummary | null;
}

export interface ExperimentDetail {
  summary: ExperimentSummary;
  runs: ExperimentRunRow[];
}

/** An experiment's one-class study: each run's model scored on the validation split of every class (datasetId), the per-class AUC table. */
export interface OneClassResult extends OneClassStudy {
  experimentId: string;
  datasetId: string;
}

/** channel -> [request, response] */
export interface Channels {
  'app:info': [Empty, AppInfo];
  'train:start': [TrainStartRequest, TrainStartResult];
  /**
   * Stop, pause and resume resolve with true, or reject when there is nothing to act on: code
   * 'not-active' (the run is not training or queued in this backend: it ended, it never existed,
   * another process trains it) or 'queued' (pause of a queued run). Resuming a running run, or
   * pausing a paused one, resolves: it already is as asked.
   */
  'train:stop': [RunRef, { stopping: boolean }];
  'train:pause': [RunRef, { paused: boolean }];
  'train:resume': [RunRef, { resumed: boolean }];
  'runs:list': [Empty, RunSummary[]];
  /** A run's graph, settings, dataset and every metric (for curves and comparisons). */
  'runs:detail': [RunRef, RunDetail];
  'runs:latent': [RunEpochRef, LatentProjection];
  'runs:samples': [RunEpochRef, ReconstructionGrid];
  /** Renames or stars a run; returns its new summary. */
  'runs:update': [RunUpdate, RunSummary];
  /** Moves runs to the workspace's trash (runs/.trash); runs:restore brings them back (undo). */
  'runs:delete': [{ runIds: string[] }, { deleted: string[] }];
  'runs:restore': [{ runIds: string[] }, { restored: string[] }];
  /** Writes a run's note and/or tags (its notes.json, replaced atomically); returns its new summary. */
  'runs:annotate': [RunNotesUpdate, RunSummary];
  /** Continues a run from its last checkpoint: a stopped, interrupted or failed one, or a finished one to a new total of epochs. */
  'runs:continue': [RunContinueRequest, TrainStartResult];
  /** The run's model written for another tool (ONNX, TensorFlow.js, a PyTorch project). */
  'model:export': [ExportRequest, ExportResult];
  'graphs:list': [Empty, GraphFileInfo[]];
  'graphs:read': [{ path: string }, GraphFileText];
  'graphs:write': [GraphWriteRequest, { path: string }];
  /** Scans an image folder: classes from subfolders, counts, skipped files, suggested settings. */
  'datasets:scan': [FolderScanRequest, FolderSummary];
  /** Lists the subfolders of a folder (the home folder when path is null). */
  'datasets:browse': [{ path: string | null }, FolderListing];
  /** Native dialogs (desktop app only): the chosen path, or null when cancelled. */
  'dialog:open-graph': [Empty, { path: string | null }];
  'dialog:save-graph': [{ suggestedName: string }, { path: string | null }];
  'dialog:open-folder': [Empty, { path: string | null }];
  /**
   * Remembers where to train and restarts the trainer with it; resolves with the backend it chose.
   * Rejects while a run trains or waits in the queue.
   */
  'app:set-backend-preference': [{ preference: BackendPreference }, BackendInfo];
  /** How many deleted runs the trash holds and their size; workspace:empty-trash deletes them for good and says what it removed. */
  'workspace:trash': [Empty, TrashUsage];
  'workspace:empty-trash': [Empty, TrashUsage];
  /** The window's commands that are enabled now, for the desktop app's menu bar (ignored in browser mode). */
  'app:menu-state': [{ enabled: Record<string, boolean> }, Empty];
  /** Opens the guide or a folder with the system (desktop app); elsewhere only says where it is (opened: false). */
  'app:show-place': [{ place: Place }, PlaceShown];
  /** A run's trained model, loaded once and kept (LRU): what it is, or why it cannot be used (no checkpoint, no bottleneck). */
  'model:info': [ModelRef, ModelInfo];
  /** The validation images mapped to 2-D by PCA, UMAP or t-SNE (the last two computed in the background with progress, cached per run and epoch). */
  'model:map': [LatentMapRequest, LatentMap];
  /** Cancels a UMAP or t-SNE map being computed: its model:map request rejects with code "cancelled". */
  'model:cancel-map': [LatentMapRequest, { cancelled: boolean }];
  /** Cancels the job a cancellable request named (score, sample, traverse, map, export, scan); false when none runs. */
  'jobs:cancel': [{ jobId: string }, { cancelled: boolean }];
  'model:decode': [DecodeRequest, ImageBatch];
  'model:point': [PointRef, PointDetail];
  'model:interpolate': [InterpolateRequest, { images: ImageBatch; codes: number[][] }];
  'model:sample': [SampleRequest, SampleResult];
  'model:traverse': [TraverseRequest, TraverseResult];
  /** Scores every image of a dataset by reconstruction error (anomaly detection), with the extremes and, for held-out classes, the ROC curve. */
  'model:score': [ScoreRequest, ScoreResult];
  /** The model's output for given images (the lab: corrupted in the window, reconstructed here). */
  'model:reconstruct': [ReconstructRequest, ImageBatch];
  /** An image file resized and converted to the model's input, with a note of what changed. */
  'model:prepare-image': [PrepareImageRequest, PreparedImage];
  /** A sweep's plan and time estimate, checked as experiments:create checks it, without starting anything. */
  'experiments:preview': [ExperimentRequest, ExperimentPreview];
  /** Plans a sweep (refused naming the setting when a value or a setting is bad) and trains its runs one after another. */
  'experiments:create': [ExperimentRequest, ExperimentSummary];
  'experiments:list': [Empty, ExperimentSummary[]];
  'experiments:detail': [{ experimentId: string }, ExperimentDetail];
  /**
   * The one-class study of an experiment that trains one run per class (varying only the classes
   * and the seed): its finished runs scored (once each) and the per-class ROC AUC table; null for any other experiment.
   */
  'experiments:one-class': [{ experimentId: string }, OneClassResult | null];
  /** Ends an experiment: its run training now stops, the runs not started never do. */
  'experiments:stop': [{ experimentId: string }, ExperimentSummary];
}

export type Channel = keyof Channels;
export type RequestOf<C extends Channel> = Channels[C][0];
export type ResponseOf<C extends Channel> = Channels[C][1];

/** Events pushed from the backend to every client. */
export type ApiEvent =
  | { type: 'train'; event: TrainEvent }
  | { type: 'backend-ready'; backend: BackendInfo }
  /** The run list changed outside training events (renamed, starred, deleted, restored). */
  | { type: 'runs-changed' }
  /** An experiment was created, moved on to its next run, or ended. */
  | { type: 'experiment-changed'; experimentId: string }
  /** A folder scan under way: image files found so far, then (checked) how many of their headers are read. */
  | { type: 'scan-progress'; path: string; found: number; checked?: number }
  /** From the transport, not the backend: the event connection was lost or is back (events may have been missed). */
  | { type: 'connection'; connected: boolean }
  /** From the desktop shell's menu bar: run this registered command (core/commands.ts). */
  | { type: 'menu-command'; id: string }
  /** A long computation for a view (a UMAP or t-SNE map): how far it is. */
  | { type: 'job-progress'; job: string; runId: string; phase: string; done: number; total: number };

export interface BottleneckApi {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  on(listener: (event: ApiEvent) => void): () => void;
}

/** An error that crossed the boundary: a message for the user, and the field at fault when there is one. */
export interface ApiErrorPayload {
  message: string;
  channel?: string;
}
