/** The backend's one-class study: each finished run scored once (again when it trained again), the figures kept in oneClass.json. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExperimentDetail, RunStatus } from '../../../core/api';
import { runSummary } from '../../../core/runs/testSummary';
import { ONE_CLASS_FILE, oneClassStudyOf, type OneClassHost } from './oneClass';

// Errors of 4 validation images of classes 0, 0, 1, 1: class 0's model reconstructs its own best (AUC 1), class 1's does not (AUC 0).
const ERRORS: Record<string, number[]> = { 'run-a': [0.1, 0.2, 0.3, 0.4], 'run-b': [0.1, 0.2, 0.3, 0.4] };
const LABELS = [0, 0, 1, 1];

function host(dir: string, status: { b: RunStatus; bEndedAt: string | null }, extraSetting = false) {
  const scored: string[] = [];
  const detail = (): ExperimentDetail => ({
    summary: {
      id: 'exp',
      name: 'study',
      status: 'running',
      createdAt: '',
      endedAt: null,
      datasetId: 'builtin:fashion-mnist?train=300&validation=60&classes=0',
      settings: [{ path: 'data.classes', label: 'Classes trained on', values: '0,1', numeric: false, logScale: false }, ...(extraSetting ? [{ path: 'bottleneck.units', label: 'Code size', values: '2', numeric: true, logScale: false }] : [])],
      random: null,
      runCount: 2,
      doneCount: 1,
      activeRunId: null,
      error: null,
    },
    runs: [
      { index: 0, values: { 'data.classes': [0] }, runId: 'run-a', run: runSummary({ id: 'run-a', status: 'finished', endedAt: 't1' }) },
      { index: 1, values: { 'data.classes': [1] }, runId: 'run-b', run: runSummary({ id: 'run-b', status: status.b, endedAt: status.bEndedAt }) },
    ],
  });
  const h: OneClassHost = {
    detail,
    dir: () => dir,
    score: async (runId, datasetId) => {
      scored.push(`${runId} ${datasetId}`);
      return { errors: ERRORS[runId]!, labels: LABELS, classNames: ['T-shirt/top', 'Trouser'] };
    },
  };
  return { h, scored };
}

describe('the one-class study of an experiment', () => {
  it('scores each finished run once on every class, and again only when it trained again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bottleneck-one-class-'));
    const status = { b: 'running' as RunStatus, bEndedAt: null as string | null };
    const { h, scored } = host(dir, status);
    const first = (await oneClassStudyOf(h, 'exp'))!;
    // The classes filter is dropped: the validation images of every class.
    expect(scored).toEqual(['run-a builtin:fashion-mnist?train=300&validation=60']);
    expect(first.rows.map((r) => [r.className, r.aucs])).toEqual([['T-shirt/top', [1]]]);
    status.b = 'finished';
    status.bEndedAt = 't2';
    const second = (await oneClassStudyOf(h, 'exp'))!;
    expect(scored).toHaveLength(2);
    expect(second.rows.map((r) => [r.className, r.aucs])).toEqual([
      ['T-shirt/top', [1]],
      ['Trouser', [0]],
    ]);
    expect(second.mean).toBe(0.5);
    await oneClassStudyOf(h, 'exp');
    expect(scored).toHaveLength(2);
    status.bEndedAt = 't3'; // continued: trained again
    await oneClassStudyOf(h, 'exp');
    expect(scored.slice(2)).toEqual(['run-b builtin:fashion-mnist?train=300&validation=60']);
    const saved = JSON.parse(readFileSync(join(dir, ONE_CLASS_FILE), 'utf8'));
    expect(saved.study.mean).toBe(0.5);
    expect(saved.runs.map((r: { runId: string; auc: number }) => [r.runId, r.auc])).toEqual([
      ['run-a', 1],
      ['run-b', 0],
    ]);
  });

  it('is null for an experiment that varies more than the classes and the seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bottleneck-one-class-'));
    const { h, scored } = host(dir, { b: 'finished', bEndedAt: 't2' }, true);
    expect(await oneClassStudyOf(h, 'exp')).toBeNull();
    expect(scored).toEqual([]);
  });

  it('names the run that cannot be scored, and keeps the runs scored before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bottleneck-one-class-'));
    const { h, scored } = host(dir, { b: 'finished', bEndedAt: 't2' });
    const failing: OneClassHost = { ...h, score: async (runId, datasetId) => (runId === 'run-b' ? Promise.reject(new Error('no checkpoint yet')) : h.score(runId, datasetId)) };
    await expect(oneClassStudyOf(failing, 'exp')).rejects.toThrow('run 2 (run-b) could not be scored: no checkpoint yet');
    await oneClassStudyOf(h, 'exp');
    expect(scored).toEqual(['run-a builtin:fashion-mnist?train=300&validation=60', 'run-b builtin:fashion-mnist?train=300&validation=60']);
  });
});
