import { z } from 'zod';
import type { Channel, RequestOf } from './api';
import { isChannel } from './apiChannels';
import { validateGraphDoc } from './graph/schema';
import { formatMegabytes, MAX_GRAPH_TEXT_BYTES, utf8Length } from './limits';

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
  message: `the graph text is larger than ${formatMegabytes(MAX_GRAPH_TEXT_BYTES)}`,
});

const REQUEST_SCHEMAS: { [C in Channel]: z.ZodType<RequestOf<C>, unknown> } = {
  'app:info': empty,
  'train:start': z.object({ graph, datasetId: z.string().min(1) }).strict(),
  'train:stop': z.object({ runId: z.string().min(1) }).strict(),
  'train:pause': z.object({ runId: z.string().min(1) }).strict(),
  'train:resume': z.object({ runId: z.string().min(1) }).strict(),
  'runs:list': empty,
  'runs:detail': z.object({ runId: z.string().min(1) }).strict(),
  'runs:latent': z.object({ runId: z.string().min(1), epoch: z.number().int().min(1) }).strict(),
  'runs:samples': z.object({ runId: z.string().min(1), epoch: z.number().int().min(1) }).strict(),
  'runs:update': z.object({ runId: z.string().min(1), name: z.string().trim().min(1).max(200).optional(), starred: z.boolean().optional() }).strict(),
  'runs:delete': z.object({ runIds: z.array(z.string().min(1)).min(1).max(1000) }).strict(),
  'runs:restore': z.object({ runIds: z.array(z.string().min(1)).min(1).max(1000) }).strict(),
  'runs:continue': z.object({ runId: z.string().min(1) }).strict(),
  'graphs:list': empty,
  'graphs:read': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'graphs:write': z.object({ path: z.string().min(1).max(4096), text: graphText, overwrite: z.boolean() }).strict(),
  'dialog:open-graph': empty,
  'dialog:save-graph': z.object({ suggestedName: z.string().max(255) }).strict(),
  'datasets:scan': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'datasets:browse': z.object({ path: z.string().min(1).max(4096).nullable() }).strict(),
  'dialog:open-folder': empty,
  'app:menu-state': z
    .object({ enabled: z.record(z.string().max(64), z.boolean()).refine((r) => Object.keys(r).length <= 200, 'at most 200 commands') })
    .strict(),
};


export class ContractError extends Error {
  override name = 'ContractError';
}

/** Checks a request arriving from another process; throws ContractError naming the channel and field. */
export function parseRequest<C extends Channel>(channel: unknown, payload: unknown): { channel: C; request: RequestOf<C> } {
  if (!isChannel(channel)) throw new ContractError(`unknown channel "${String(channel)}"`);
  const result = REQUEST_SCHEMAS[channel].safeParse(payload ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ContractError(`${channel}: ${where}${issue.message}`);
  }
  return { channel: channel as C, request: result.data as RequestOf<C> };
}
