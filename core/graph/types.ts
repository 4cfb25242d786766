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
}

export interface GraphDoc {
  format: typeof GRAPH_FORMAT;
  version: number;
  name: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  training: TrainingSettings;
}

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
};
