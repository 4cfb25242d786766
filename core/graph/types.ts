/** The graph document: the one thing the editor edits, the trainer trains and a run stores. */
export const GRAPH_FORMAT = 'bottleneck.graph';
export const GRAPH_VERSION = 1;

export type BlockKind =
  | 'Input'
  | 'Dense'
  | 'Conv2D'
  | 'MaxPool2D'
  | 'Dropout'
  | 'GaussianNoise'
  | 'RandomMask'
  | 'Bottleneck'
  | 'VariationalBottleneck'
  | 'Conv2DTranspose'
  | 'UpSampling2D'
  | 'Reshape'
  | 'Flatten'
  | 'BatchNorm'
  | 'Activation'
  | 'Output';

export interface XY {
  x: number;
  y: number;
}

export interface GraphNode {
  id: string;
  kind: BlockKind;
  params: Record<string, unknown>;
  position: XY;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
}

export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const SCHEDULE_KINDS = ['constant', 'step', 'cosine'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/**
 * How the learning rate changes over a run: constant, ×factor every `stepEvery` epochs, or a
 * cosine from the learning rate down to `floor` × it over `length` epochs (0: the run's epochs
 * when it starts; a continued run keeps the length it started with); each after a linear warm-up
 * of `warmupEpochs` epochs from 0.
 */
export interface LearningRateSchedule {
  kind: ScheduleKind;
  warmupEpochs: number;
  stepEvery: number;
  stepFactor: number;
  floor: number;
  length: number;
}

/** Train-time changes to each image of a batch, drawn from the run's seed; validation never sees them. */
export interface Augmentation {
  horizontalFlip: boolean;
  verticalFlip: boolean;
  /** Most shift, as a share of the image's width and height. */
  shift: number;
  /** Most rotation, in degrees either way. */
  rotation: number;
  /** Most brightness change, added to pixels in [0, 1], either way. */
  brightness: number;
}

export interface TrainingSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  optimizer: OptimizerName;
  /** Momentum for SGD (0 for plain SGD). */
  momentum: number;
  /** Share of the training images held out for validation when the dataset has no validation split. */
  validationSplit: number;
  /** Stop when the validation loss has not improved for this many epochs; 0 never stops early. */
  earlyStoppingPatience: number;
  /** Recompute the latent projection and reconstructions every this many epochs (and at the last). */
  refreshEvery: number;
  /** Decoupled weight decay (AdamW's): each step also shrinks every weight by learningRate × weightDecay of itself. */
  weightDecay: number;
  schedule: LearningRateSchedule;
  augmentation: Augmentation;
}

export interface GraphDoc {
  format: typeof GRAPH_FORMAT;
  version: number;
  name: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  training: TrainingSettings;
}

export const DEFAULT_SCHEDULE: LearningRateSchedule = { kind: 'constant', warmupEpochs: 0, stepEvery: 10, stepFactor: 0.5, floor: 0, length: 0 };
export const NO_AUGMENTATION: Augmentation = { horizontalFlip: false, verticalFlip: false, shift: 0, rotation: 0, brightness: 0 };

export const DEFAULT_TRAINING: TrainingSettings = {
  epochs: 5,
  batchSize: 128,
  learningRate: 1e-3,
  seed: 42,
  optimizer: 'adam',
  momentum: 0.9,
  validationSplit: 0.1,
  earlyStoppingPatience: 0,
  refreshEvery: 1,
  weightDecay: 0,
  schedule: DEFAULT_SCHEDULE,
  augmentation: NO_AUGMENTATION,
};
