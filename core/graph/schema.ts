import { z } from 'zod';
import { isBlockKind } from '../blocks/registry';
import { checkJsonBounds, graphTooLarge, MAX_GRAPH_STRING, MAX_NAME_LENGTH, MAX_NESTING } from '../limits';
import { findCycle } from './topology';
import { AUGMENTATION_BOUNDS, checkBounds, SCHEDULE_BOUNDS, TRAINING_BOUNDS, type SettingBounds } from './trainingBounds';
import { DEFAULT_TRAINING, GRAPH_FORMAT, GRAPH_VERSION, OPTIMIZERS, SCHEDULE_KINDS, type GraphDoc } from './types';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** A numeric setting, checked against its bounds (trainingBounds.ts) with their message. */
const bounded = (b: SettingBounds) =>
  z.number().superRefine((value, ctx) => {
    const problem = checkBounds(b, value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const setting = (name: keyof typeof TRAINING_BOUNDS) => bounded(TRAINING_BOUNDS[name]);

const scheduleSchema = z
  .object({
    kind: z.enum(SCHEDULE_KINDS),
    warmupEpochs: bounded(SCHEDULE_BOUNDS.warmupEpochs),
    stepEvery: bounded(SCHEDULE_BOUNDS.stepEvery),
    stepFactor: bounded(SCHEDULE_BOUNDS.stepFactor),
    floor: bounded(SCHEDULE_BOUNDS.floor),
    length: bounded(SCHEDULE_BOUNDS.length),
  })
  .strict();

const augmentationSchema = z
  .object({
    horizontalFlip: z.boolean(),
    verticalFlip: z.boolean(),
    shift: bounded(AUGMENTATION_BOUNDS.shift),
    rotation: bounded(AUGMENTATION_BOUNDS.rotation),
    brightness: bounded(AUGMENTATION_BOUNDS.brightness),
  })
  .strict();

export const trainingSchema = z.object({
  epochs: setting('epochs'),
  batchSize: setting('batchSize'),
  learningRate: setting('learningRate'),
  seed: setting('seed'),
  optimizer: z.enum(OPTIMIZERS),
  momentum: setting('momentum'),
  validationSplit: setting('validationSplit'),
  earlyStoppingPatience: setting('earlyStoppingPatience'),
  refreshEvery: setting('refreshEvery'),
  weightDecay: setting('weightDecay'),
  // Files written before these settings existed read with the defaults; a partial group is completed by them.
  schedule: scheduleSchema.partial(),
  augmentation: augmentationSchema.partial(),
});

const nodeSchema = z.object({
  id: z.string().min(1),
  kind: z.string(),
  params: z.record(z.string(), z.unknown()).default({}),
  position: z.object({ x: finite, y: finite }).default({ x: 0, y: 0 }),
});

const edgeSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  target: z.string().min(1),
});

const graphSchema = z.object({
  format: z.literal(GRAPH_FORMAT),
  version: z.number().int().min(1),
  name: z.string().max(MAX_NAME_LENGTH).default('Untitled'),
  nodes: z.array(nodeSchema),
  edges: z.array(edgeSchema),
  training: trainingSchema.partial().default({}),
});

export class GraphFileError extends Error {
  override name = 'GraphFileError';
}

function describeZodIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.join('.') : 'document';
  return `${where}: ${issue.message}`;
}

/**
 * Migrates older documents forward. Version 1 is the first; the hook exists so that every
 * load goes through one place when the format changes.
 */
function migrate(raw: Record<string, unknown>): Record<string, unknown> {
  return raw;
}

/**
 * Validates an already-parsed value as a GraphDoc: format, version, schema, known block kinds,
 * unique ids, edges that point at nodes, no cycle. Throws GraphFileError naming the problem.
 */
export function validateGraphDoc(value: unknown): GraphDoc {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GraphFileError('not a graph document: expected a JSON object');
  }
  const raw = value as Record<string, unknown>;
  if (raw.format !== GRAPH_FORMAT) {
    throw new GraphFileError(`not a graph document: "format" must be "${GRAPH_FORMAT}"`);
  }
  if (typeof raw.version === 'number' && raw.version > GRAPH_VERSION) {
    throw new GraphFileError(
      `made by a newer Bottleneck (graph version ${raw.version}; this app reads up to ${GRAPH_VERSION})`,
    );
  }
  // First, before anything is done per block: a 100,000-block graph is refused at once.
  const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);
  const tooLarge = graphTooLarge(count(raw.nodes), count(raw.edges));
  if (tooLarge) throw new GraphFileError(tooLarge);
  // Before the schema: a hostile depth or a huge string stops here, not in JSON.stringify or a run's files.
  const bounds = checkJsonBounds(value, { maxDepth: MAX_NESTING, maxString: MAX_GRAPH_STRING });
  if (bounds) throw new GraphFileError(bounds);
  const parsed = graphSchema.safeParse(migrate(raw));
  if (!parsed.success) {
    throw new GraphFileError(parsed.error.issues.slice(0, 3).map(describeZodIssue).join('; '));
  }
  const doc = parsed.data;
  const ids = new Set<string>();
  for (const node of doc.nodes) {
    if (!isBlockKind(node.kind)) {
      throw new GraphFileError(`node "${node.id}": unknown block kind "${node.kind}"`);
    }
    if (ids.has(node.id)) throw new GraphFileError(`node "${node.id}": duplicate node id`);
    ids.add(node.id);
  }
  for (const edge of doc.edges) {
    for (const end of [edge.source, edge.target]) {
      if (!ids.has(end)) throw new GraphFileError(`edge "${edge.id}": no node with id "${end}"`);
    }
  }
  const cycle = findCycle(doc.nodes, doc.edges);
  if (cycle) throw new GraphFileError(`the graph has a cycle: ${cycle.join(' -> ')}`);
  return {
    ...doc,
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes: doc.nodes as GraphDoc['nodes'],
    training: {
      ...DEFAULT_TRAINING,
      ...doc.training,
      schedule: { ...DEFAULT_TRAINING.schedule, ...doc.training.schedule },
      augmentation: { ...DEFAULT_TRAINING.augmentation, ...doc.training.augmentation },
    },
  };
}

/** Parses the text of a `*.bottleneck.json` file. */
export function parseGraphText(text: string): GraphDoc {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GraphFileError(`not valid JSON: ${(err as Error).message}`);
  }
  return validateGraphDoc(value);
}

export function serializeGraph(doc: GraphDoc): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
