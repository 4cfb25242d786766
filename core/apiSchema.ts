import { z } from 'zod';
import { EXPORT_FORMATS, type Channel, type RequestOf } from './api';
import { isChannel } from './apiChannels';
import { validateGraphDoc } from './graph/schema';
import { TRAINING_BOUNDS } from './graph/trainingBounds';
import { checkJsonBounds, excerpt, graphTooLarge, MAX_GRAPH_TEXT_BYTES, MAX_IMAGE_BASE64_LENGTH, MAX_NAME_LENGTH, MAX_NESTING, maxRequestBytes, utf8Length } from './limits';
import { formatBytes } from './format';
import { MAX_NOTE_LENGTH, MAX_TAGS, tagProblem } from './runs/notes';

const empty = z.object({}).strict();
const graph = z.unknown().transform((value, ctx) => {
  try {
    return validateGraphDoc(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

// Measured as stored (UTF-8 bytes), against the limit every transport can carry (core/limits.ts).
const graphText = z.string().refine((text) => text.length <= MAX_GRAPH_TEXT_BYTES && utf8Length(text) <= MAX_GRAPH_TEXT_BYTES, {
  message: `the graph text is larger than ${formatBytes(MAX_GRAPH_TEXT_BYTES)}`,
});

// Run ids are short (yyyymmddThhmmssZ-xxxx); paths and dataset ids (a folder's path and settings) are bounded too.
const runId = z.string().min(1).max(64);
const path = z.string().min(1).max(4096);

// A code crosses as plain numbers; sizes are bounded by the largest code a block allows (core/blocks/dense.ts).
const code = z.array(z.number().refine(Number.isFinite, 'must be a finite number')).min(1).max(65_536);
const model = { runId, checkpoint: z.enum(['best', 'last']).optional() };
/** A cancellable request's job id (`jobs:cancel`). */
const jobId = z.string().min(1).max(128).optional();
const end = z.union([z.object({ index: z.number().int().min(0) }).strict(), z.object({ code }).strict()]);

// An image batch as it crosses: bounded by the largest input a graph takes (512×512×4) times 256 images, as float32.
const imageBatch = z
  .object({
    count: z.number().int().min(1).max(256),
    height: z.number().int().min(1).max(512),
    width: z.number().int().min(1).max(512),
    channels: z.number().int().min(1).max(4),
    pixels: z.string().max(Math.ceil((256 * 512 * 512 * 4 * 4) / 3) * 4 + 4),
    encoding: z.literal('float32').optional(),
  })
  .strict();

// A tag as the window sends it (already split at commas); the backend cleans the list (normalizeTags).
const tag = z.string().superRefine((text, ctx) => {
  const problem = tagProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// A sweep as it crosses: bounded like the rest (a setting path and its values are short text).
const experimentRequest = z
  .object({
    graph,
    datasetId: z.string().min(1).max(16_384),
    vary: z.array(z.object({ setting: z.string().min(1).max(200), values: z.string().min(1).max(4096) }).strict()).min(1, 'give at least one setting to vary').max(20),
    random: z.object({ count: z.number().int().min(1).max(500), seed: z.number().int().min(0).max(2 ** 31 - 1) }).strict().optional(),
    name: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional(),
  })
  .strict();
const experimentId = z.object({ experimentId: z.string().min(1).max(64) }).strict();

const REQUEST_SCHEMAS: { [C in Channel]: z.ZodType<RequestOf<C>, unknown> } = {
  'app:info': empty,
  'train:start': z.object({ graph, datasetId: z.string().min(1).max(16_384) }).strict(),
  'train:stop': z.object({ runId }).strict(),
  'train:pause': z.object({ runId }).strict(),
  'train:resume': z.object({ runId }).strict(),
  'runs:list': empty,
  'runs:detail': z.object({ runId }).strict(),
  'runs:latent': z.object({ runId, epoch: z.number().int().min(1) }).strict(),
  'runs:samples': z.object({ runId, epoch: z.number().int().min(1) }).strict(),
  'runs:update': z.object({ runId, name: z.string().trim().min(1).max(MAX_NAME_LENGTH).optional(), starred: z.boolean().optional() }).strict(),
  'runs:delete': z.object({ runIds: z.array(runId).min(1).max(1000) }).strict(),
  'runs:restore': z.object({ runIds: z.array(runId).min(1).max(1000) }).strict(),
  'runs:continue': z.object({ runId, epochs: z.number().int().min(TRAINING_BOUNDS.epochs.min).max(TRAINING_BOUNDS.epochs.max).optional() }).strict(),
  'runs:annotate': z
    .object({ runId, note: z.string().max(MAX_NOTE_LENGTH, `a note is at most ${MAX_NOTE_LENGTH.toLocaleString('en')} characters`).optional(), tags: z.array(tag).max(MAX_TAGS, `at most ${MAX_TAGS} tags`).optional() })
    .strict(),
  'workspace:trash': empty,
  'workspace:empty-trash': empty,
  'graphs:list': empty,
  'graphs:read': z.object({ path }).strict(),
  'graphs:write': z.object({ path, text: graphText, overwrite: z.boolean() }).strict(),
  'dialog:open-graph': empty,
  'dialog:save-graph': z.object({ suggestedName: z.string().max(255) }).strict(),
  'datasets:scan': z.object({ path, jobId }).strict(),
  'datasets:browse': z.object({ path: path.nullable() }).strict(),
  'dialog:open-folder': empty,
  'app:menu-state': z
    .object({ enabled: z.record(z.string().max(64), z.boolean()).refine((r) => Object.keys(r).length <= 200, 'at most 200 commands') })
    .strict(),
  'app:set-backend-preference': z.object({ preference: z.enum(['auto', 'gpu', 'cpu']) }).strict(),
  'app:show-place': z.object({ place: z.enum(['guide', 'docs', 'workspace']) }).strict(),
  'model:info': z.object(model).strict(),
  'model:map': z.object({ ...model, method: z.enum(['pca', 'umap', 'tsne']), jobId }).strict(),
  'model:cancel-map': z.object({ ...model, method: z.enum(['pca', 'umap', 'tsne']), jobId }).strict(),
  'jobs:cancel': z.object({ jobId: jobId.unwrap() }).strict(),
  'model:decode': z.object({ ...model, codes: z.array(code).min(1).max(256) }).strict(),
  'model:point': z.object({ ...model, index: z.number().int().min(0) }).strict(),
  'model:interpolate': z.object({ ...model, from: end, to: end, steps: z.number().int().min(2).max(64), path: z.enum(['linear', 'spherical']) }).strict(),
  'model:sample': z.object({ ...model, count: z.number().int().min(1).max(256), seed: z.number().int().min(0).max(2 ** 31 - 1), temperature: z.number().min(0).max(5), jobId }).strict(),
  'model:score': z.object({ ...model, datasetId: z.string().min(1).max(16_384).optional(), extremes: z.number().int().min(0).max(64).optional(), jobId }).strict(),
  'model:reconstruct': z.object({ ...model, images: imageBatch }).strict(),
  'model:export': z.object({ ...model, format: z.enum(EXPORT_FORMATS), path: path.optional(), jobId }).strict(),
  'model:prepare-image': z
    .object({ ...model, path: path.optional(), bytes: z.string().max(MAX_IMAGE_BASE64_LENGTH).optional(), name: z.string().max(255).optional() })
    .strict()
    .refine((r) => (r.path === undefined) !== (r.bytes === undefined), 'give either a path or the file\'s bytes'),
  'model:traverse': z
    .object({ ...model, base: end.optional(), dims: z.array(z.number().int().min(0)).max(64).optional(), steps: z.number().int().min(2).max(32), range: z.number().gt(0).max(10), jobId })
    .strict(),
  'experiments:preview': experimentRequest,
  'experiments:create': experimentRequest,
  'experiments:list': empty,
  'experiments:detail': experimentId,
  'experiments:one-class': experimentId,
  'experiments:stop': experimentId,
};


export class ContractError extends Error {
  override name = 'ContractError';
}

/** Checks a request arriving from another process; throws ContractError naming the channel and field. */
export function parseRequest<C extends Channel>(channel: unknown, payload: unknown): { channel: C; request: RequestOf<C> } {
  if (!isChannel(channel)) throw new ContractError(`unknown channel "${excerpt(String(channel))}"`);
  // Before the schema: a hostile depth must not reach code that recurses (zod, JSON.stringify, structured
  // clone). Strings are bounded here by what a request can carry; each field's own limit words its refusal.
  // A graph's size first, in the graph's words: a 100,000-block graph is refused before anything walks it.
  const sent = (payload as { graph?: { nodes?: unknown; edges?: unknown } } | null)?.graph;
  if (typeof sent === 'object' && sent !== null) {
    const tooLarge = graphTooLarge(Array.isArray(sent.nodes) ? sent.nodes.length : 0, Array.isArray(sent.edges) ? sent.edges.length : 0);
    if (tooLarge) throw new ContractError(`${channel}: graph: ${tooLarge}`);
  }
  const bounds = checkJsonBounds(payload, { maxDepth: MAX_NESTING, maxString: maxRequestBytes(channel) });
  if (bounds) throw new ContractError(`${channel}: ${bounds}`);
  const result = REQUEST_SCHEMAS[channel].safeParse(payload ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    // zod quotes unknown keys and values: never more than an excerpt of them.
    throw new ContractError(`${channel}: ${excerpt(`${where}${issue.message}`, 300)}`);
  }
  return { channel: channel as C, request: result.data as RequestOf<C> };
}
