/**
 * A run's note and tags, as the user writes them: the limits, how typed tags become a clean list,
 * and how the Runs filter matches a run by its words, note and tags. Pure, so the backend, the
 * contract's schema, the window and the CLI agree.
 */
import type { RunSummary } from '../api';

/** A note is free text: a paragraph or a few, not a document. */
export const MAX_NOTE_LENGTH = 10_000;
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 40;

export interface RunNotes {
  note: string;
  tags: string[];
}

/** Why a tag cannot be used, or null: tags are short words or phrases, separated by commas where typed. */
export function tagProblem(tag: string): string | null {
  if (!tag.trim()) return 'a tag cannot be empty';
  if (tag.length > MAX_TAG_LENGTH) return `a tag is at most ${MAX_TAG_LENGTH} characters ("${tag.slice(0, 20)}…" is ${tag.length})`;
  if (/[,\p{Cc}]/u.test(tag)) return `a tag cannot hold a comma or a line break ("${tag}")`;
  return null;
}

/** Tags trimmed, inner spaces collapsed, empty ones and repeats (in any case) dropped, in the order given. */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim().replace(/\s+/g, ' ');
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    out.push(tag);
  }
  return out;
}

/** Tags as typed in one field ("baseline, lr sweep"), or the reason they cannot be saved. */
export function parseTags(text: string): { tags: string[] } | { error: string } {
  const tags = normalizeTags(text.split(/[,\n]/));
  for (const tag of tags) {
    const problem = tagProblem(tag);
    if (problem) return { error: problem };
  }
  if (tags.length > MAX_TAGS) return { error: `at most ${MAX_TAGS} tags (${tags.length} given)` };
  return { tags };
}

/**
 * Whether a run matches the Runs filter: every word of the filter is in its name, id, status,
 * topology, dataset, backend, note or tags (any case). A word "#tag" matches a tag exactly.
 */
export function matchesRunFilter(run: RunSummary, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const tags = run.tags.map(tagFilter);
  const text = [run.name, run.id, run.status, run.topology, run.datasetName, run.backend ?? '', run.note, ...run.tags].join('\n').toLowerCase();
  return words.every((w) => (w.startsWith('#') && w.length > 1 ? tags.includes(w) : text.includes(w)));
}

/** How a tag is typed into the filter to find the runs that carry it. */
export function tagFilter(tag: string): string {
  return `#${tag.toLowerCase().replace(/\s+/g, '-')}`;
}
