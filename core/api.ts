/**
 * The contract between the renderer and the backend: the only thing that crosses the process boundary.
 * Each channel takes one argument. Electron binds it to IPC, browser mode to HTTP + WebSocket, the CLI
 * calls the backend directly. Types only; the runtime checks are in apiSchema.ts.
 */
import type { GraphDoc } from './graph/types';
import type { Preprocessing } from './data/folder';
import type { SkippedFile, TrainEvent } from './train/events';

export type { RunDataset, SkippedFile, TrainEvent } from './train/events';
export type { Preprocessing } from './data/folder';

export interface BackendAttempt {
  name: string;
  /** Why it was not used, e.g. "not installed". */
  reason: string;
}

export interface BackendInfo {
  /** The tfjs backend in use: tensorflow-gpu, tensorflow, wasm or cpu. */
  name: string;
  /** The backends tried before it, with the reason each was passed over. */
  skipped: BackendAttempt[];
}

export interface DatasetInfo {
  id: string;
  name: string;
  height: number;
  width: number;
  channels: number;
  trainCount: number;
  validationCount: number;
  classNames: string[];
}

export interface AppInfo {
  version: string;
  /** Where the app runs: the Electron window or a browser tab on the local server. */
  shell: 'electron' | 'browser' | 'cli';
  /** Null until the trainer has chosen its backend. */
  backend: BackendInfo | null;
  datasets: DatasetInfo[];
  workspace: string;
}

export type RunStatus = 'queued' | 'running' | 'paused' | 'finished' | 'stopped' | 'failed' | 'interrupted';

export interface RunSummary {
  id: string;
  name: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  datasetId: string;
  backend: string | null;
  epochsDone: number;
  epochs: number;
  loss: number | null;
  val_loss: number | null;
  best_val_loss: number | null;
  error: string | null;
}

export interface TrainStartRequest {
  graph: GraphDoc;
  datasetId: string;
}

export interface TrainStartResult {
  runId: string;
  /** Runs ahead of this one; 0 when it starts at once. */
  queuePosition: number;
}

export interface RunRef {
  runId: string;
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

export interface FolderScanRequest {
  path: string;
}

/** An image folder before training: what it holds, and the settings suggested for a first run. */
export interface FolderSummary {
  /** The folder's absolute path. */
  path: string;
  name: string;
  /** Image files found (decodable or not: decoding tells). */
  fileCount: number;
  classNames: string[];
  counts: Record<string, number>;
  /** Files left out by the scan with the reason (the first 1,000), and how many in all. */
  skipped: SkippedFile[];
  skippedCount: number;
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

/** channel -> [request, response] */
export interface Channels {
  'app:info': [Empty, AppInfo];
  'train:start': [TrainStartRequest, TrainStartResult];
  'train:stop': [RunRef, { stopping: boolean }];
  'train:pause': [RunRef, { paused: boolean }];
  'train:resume': [RunRef, { resumed: boolean }];
  'runs:list': [Empty, RunSummary[]];
  /** Continues a stopped, interrupted or failed run from its last checkpoint. */
  'runs:continue': [RunRef, TrainStartResult];
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
}

export type Channel = keyof Channels;
export type RequestOf<C extends Channel> = Channels[C][0];
export type ResponseOf<C extends Channel> = Channels[C][1];

/** Events pushed from the backend to every client. */
export type ApiEvent =
  | { type: 'train'; event: TrainEvent }
  | { type: 'backend-ready'; backend: BackendInfo }
  /** A folder scan under way: image files found so far. */
  | { type: 'scan-progress'; path: string; found: number };

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
