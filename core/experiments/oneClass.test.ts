import { describe, expect, it } from 'vitest';
import { formatAuc, isOneClassStudy, normalClassOf, oneClassAuc, oneClassStudy, seedOf, type OneClassScore } from './oneClass';

describe('one-class AUC', () => {
  // Errors 0.1 < 0.2 < 0.3 < 0.4 of classes 0, 0, 1, 2.
  const errors = [0.1, 0.2, 0.3, 0.4];
  const labels = [0, 0, 1, 2];

  it('is 1 when every other class reconstructs worse than the normal one', () => {
    expect(oneClassAuc(errors, labels, 0)).toBe(1);
  });

  it('counts the anomaly–normal pairs ordered right: class 1 (0.3) is beaten only by 0.4 of the three anomalies', () => {
    expect(oneClassAuc(errors, labels, 1)).toBeCloseTo(1 / 3, 12);
  });

  it('is 0 when the normal class has the highest error, and a tie counts one half', () => {
    expect(oneClassAuc(errors, labels, 2)).toBe(0);
    expect(oneClassAuc([0.5, 0.5, 0.9], [0, 1, 1], 0)).toBeCloseTo((0.5 + 1) / 2, 12);
  });

  it('is NaN when the normal class has no images', () => {
    expect(oneClassAuc(errors, labels, 7)).toBeNaN();
  });
});

describe('the one-class table', () => {
  const score = (normalClass: number, seed: number | null, auc: number): OneClassScore => ({ runId: `r${normalClass}-${seed}`, normalClass, seed, auc });

  it('gives each class its AUC per seed, mean and spread, and the mean over classes with the spread of the seeds’ means', () => {
    const study = oneClassStudy([score(1, 1, 0.7), score(0, 1, 0.9), score(0, 2, 0.8), score(1, 2, 0.6)], ['T-shirt', 'Trouser']);
    expect(study.seeds).toEqual([1, 2]);
    expect(study.rows.map((r) => [r.normalClass, r.className, r.aucs])).toEqual([
      [0, 'T-shirt', [0.9, 0.8]],
      [1, 'Trouser', [0.7, 0.6]],
    ]);
    expect(study.rows[0]!.mean).toBeCloseTo(0.85, 12);
    expect(study.rows[1]!.mean).toBeCloseTo(0.65, 12);
    // Sample std of {0.9, 0.8}: sqrt((0.05² + 0.05²) / 1).
    expect(study.rows[0]!.std).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(study.seedMeans[0]).toBeCloseTo(0.8, 12);
    expect(study.seedMeans[1]).toBeCloseTo(0.7, 12);
    expect(study.mean).toBeCloseTo(0.75, 12);
    expect(study.std).toBeCloseTo(Math.sqrt(0.005), 12);
  });

  it('leaves a seed with a class unscored out of the spread, and one seed has no spread', () => {
    const study = oneClassStudy([score(0, 1, 0.9), score(1, 1, 0.7), score(0, 2, 0.8)], null);
    expect(study.rows[1]!.aucs).toEqual([0.7, null]);
    expect(study.rows[1]!.className).toBe('1');
    expect(study.seedMeans[1]).toBeNull();
    expect(study.std).toBeNull();
    expect(study.mean).toBeCloseTo((0.85 + 0.7) / 2, 12);
    const single = oneClassStudy([score(0, null, 0.9), score(1, null, 0.6)], null);
    expect(single.seeds).toEqual([null]);
    expect(single.rows[0]!.std).toBeNull();
    expect(single.mean).toBeCloseTo(0.75, 12);
  });

  it('formats a mean with or without its spread', () => {
    expect(formatAuc(0.93125, 0.004)).toBe('0.9313 ± 0.0040');
    expect(formatAuc(0.5)).toBe('0.5000');
    expect(formatAuc(null)).toBe('-');
  });
});

describe('which experiments are one-class studies', () => {
  const classes = { path: 'data.classes' };
  const seed = { path: 'training.seed' };
  it('varies the classes, one per run, and nothing else but the seed', () => {
    const runs = [{ values: { 'data.classes': [0], 'training.seed': 1 } }, { values: { 'data.classes': [1], 'training.seed': 1 } }];
    expect(isOneClassStudy([classes, seed], runs)).toBe(true);
    expect(normalClassOf(runs[1]!.values)).toBe(1);
    expect(seedOf(runs[1]!.values)).toBe(1);
    expect(isOneClassStudy([classes], [{ values: { 'data.classes': [0, 1] } }])).toBe(false);
    expect(isOneClassStudy([classes, { path: 'bottleneck.units' }], [{ values: { 'data.classes': [0], 'bottleneck.units': 8 } }])).toBe(false);
    expect(isOneClassStudy([seed], [{ values: { 'training.seed': 1 } }])).toBe(false);
  });
});
