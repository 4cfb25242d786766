/**
 * notes.json: the user's note and tags on a run, beside run.json rather than in it, so writing a
 * note never races the trainer's rewrites of run.json (another process may be training the run).
 * Versioned, validated on read, replaced atomically.
 */
import { join } from 'node:path';
import { describeReadError, readTextSafe, READ_LIMITS } from '../safeRead';
import { z } from 'zod';
import { MAX_NOTE_LENGTH, normalizeTags, type RunNotes } from '../../../core/runs/notes';
import { writeFileAtomic } from '../atomicFile';
import { describeIssue } from './format';

export const NOTES_FILE = 'notes.json';
const NOTES_FORMAT = 'bottleneck.run-notes';
const NOTES_VERSION = 1;

const notesSchema = z.object({
  format: z.literal(NOTES_FORMAT),
  version: z.number().int(),
  note: z.string().max(MAX_NOTE_LENGTH).default(''),
  tags: z.array(z.string()).default([]),
  updatedAt: z.string().optional(),
});

const EMPTY: RunNotes = { note: '', tags: [] };

/** A run's note and tags; none when the file is absent. A file that cannot be read gives none and the reason. */
export function readNotes(dir: string): RunNotes & { problem: string | null } {
  let text: string;
  try {
    text = readTextSafe(join(dir, NOTES_FILE), READ_LIMITS.record, NOTES_FILE);
  } catch (err) {
    return { ...EMPTY, problem: (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : describeReadError(NOTES_FILE, err) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ...EMPTY, problem: `${NOTES_FILE} is not valid JSON (${(err as Error).message})` };
  }
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > NOTES_VERSION) {
    return { ...EMPTY, problem: `${NOTES_FILE} was written by a newer Bottleneck (version ${version}; this one reads up to ${NOTES_VERSION})` };
  }
  const parsed = notesSchema.safeParse(value);
  if (!parsed.success) return { ...EMPTY, problem: `${NOTES_FILE}: ${describeIssue(parsed.error.issues[0])}` };
  // Hand-edited files may hold repeats or stray spaces: read as the app would have written them.
  return { note: parsed.data.note, tags: normalizeTags(parsed.data.tags), problem: null };
}

/** Replaces notes.json through a temp file and a rename. */
export function writeNotes(dir: string, notes: RunNotes): void {
  const file = { format: NOTES_FORMAT, version: NOTES_VERSION, note: notes.note, tags: normalizeTags(notes.tags), updatedAt: new Date().toISOString() };
  writeFileAtomic(join(dir, NOTES_FILE), `${JSON.stringify(file, null, 2)}\n`);
}
