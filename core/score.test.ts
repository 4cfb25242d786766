import { describe, expect, it } from 'vitest';
import { anomalyRoc, anomalyTruth, classRoles, errorMaps, extremes, meanSquaredErrors, perClassStats, roc, rocAuc, rocPoints, scoresCsv, thresholdStats } from './score';
import { seededRandom } from './train/random';

/** The area under straight lines between ROC points. */
const trapezoid = (points: [number, number][]) => points.slice(1).reduce((area, [x, y], i) => area + ((x - points[i]![0]) * (y + points[i]![1])) / 2, 0);

describe('ROC', () => {
  it('AUC of a hand-computed case: 3 of the 4 positive–negative pairs ordered right is 0.75', () => {
    // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.35 beats 0.1 only, 0.8 beats both.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
    expect(rocPoints([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toEqual([[0, 0], [0, 0.5], [0.5, 0.5], [0.5, 1], [1, 1]]);
    expect(rocAuc([1, 2, 3], [false, false, true])).toBe(1);
    expect(rocAuc([3, 2, 1], [false, false, true])).toBe(0);
  });

  it('ties count one half, and the curve steps through a tie diagonally so its area is the same', () => {
    // Positives {1, 2, 3}, negatives {1, 2}: pairs 0.5 + 0 + 1 + 0.5 + 1 + 1 = 4 of 6.
    const scores = [1, 1, 2, 2, 3];
    const positive = [true, false, true, false, true];
    expect(rocAuc(scores, positive)).toBeCloseTo(4 / 6, 12);
    const points = rocPoints(scores, positive);
    expect(points).toEqual([[0, 0], [0, 1 / 3], [0.5, 2 / 3], [1, 1]]);
    expect(trapezoid(points)).toBeCloseTo(4 / 6, 12);
    // All tied: chance.
    expect(rocAuc([5, 5, 5, 5], [true, false, true, false])).toBe(0.5);
  });

  it('the rank AUC equals the area under the full curve on random scores with many ties, and the curve is thinned to 200 points', () => {
    const random = seededRandom(9);
    const n = 3000;
    const scores = Array.from({ length: n }, () => Math.round(random() * 500) / 500);
    const positive = scores.map((s) => random() < 0.2 + 0.5 * s);
    const full = rocPoints(scores, positive, Infinity);
    expect(trapezoid(full)).toBeCloseTo(rocAuc(scores, positive), 10);
    const thin = rocPoints(scores, positive);
    expect(thin).toHaveLength(200);
    expect([thin[0], thin.at(-1)]).toEqual([[0, 0], [1, 1]]);
    for (let i = 1; i < thin.length; i++) {
      expect(thin[i]![0]).toBeGreaterThanOrEqual(thin[i - 1]![0]);
      expect(thin[i]![1]).toBeGreaterThanOrEqual(thin[i - 1]![1]);
    }
    expect(roc(scores, positive)!.auc).toBe(rocAuc(scores, positive));
  });

  it('is undefined without positives or without negatives', () => {
    expect(rocAuc([1, 2], [false, false])).toBeNaN();
    expect(roc([1, 2], [true, true])).toBeNull();
    expect(rocPoints([1, 2], [false, false])).toEqual([]);
  });
});

describe('per-class figures and extremes', () => {
  it('counts, means and medians by label', () => {
    expect(perClassStats([1, 2, 3, 10, 5], [0, 0, 0, 0, 2])).toEqual([
      { label: 0, count: 4, mean: 4, median: 2.5 },
      { label: 2, count: 1, mean: 5, median: 5 },
    ]);
  });

  it('the highest errors first and the lowest first, ties by position', () => {
    expect(extremes([0.5, 0.1, 0.9, 0.1, 0.9], 2)).toEqual({ highest: [2, 4], lowest: [1, 3] });
    expect(extremes([0.3], 5)).toEqual({ highest: [0], lowest: [0] });
  });

  it('error maps: squared error averaged over channels, scaled to the batch’s largest', () => {
    // Two images of two pixels, two channels each.
    const inputs = Float32Array.from([0, 0, 1, 1, 0.5, 0.5, 0, 0]);
    const outputs = Float32Array.from([0, 0, 0, 1, 0.5, 0.5, 1, 1]);
    // Pixel errors: 0, 0.5, 0, 1 → 0, 128, 0, 255.
    expect(Array.from(errorMaps(inputs, outputs, 2, 2, 2))).toEqual([0, 128, 0, 255]);
    expect(Array.from(errorMaps(inputs, inputs, 2, 2, 2))).toEqual([0, 0, 0, 0]);
    expect(Array.from(meanSquaredErrors(inputs, outputs, 2, 4))).toEqual([0.25, 0.5]);
  });
});

describe('which classes count as anomalies', () => {
  const FASHION = ['T-shirt/top', 'Trouser', 'Pullover'];

  it('a class the run’s training left out is held out; the run’s own classes it trained on are not', () => {
    expect(classRoles({ classNames: FASHION, trainedClasses: [0, 2] }, FASHION)).toEqual({ heldOut: [1], newClasses: [] });
    expect(classRoles({ classNames: FASHION, trainedClasses: null }, FASHION)).toEqual({ heldOut: [], newClasses: [] });
  });

  it('a folder the model never trained on: its classes are new, not held out, whatever the run held out; unlabeled images are neither', () => {
    expect(classRoles({ classNames: FASHION, trainedClasses: [0, 2] }, ['icons', 'unlabeled', 'photos'])).toEqual({ heldOut: [], newClasses: [0, 2] });
    expect(classRoles({ classNames: FASHION, trainedClasses: null }, ['icons'])).toEqual({ heldOut: [], newClasses: [0] });
    // Matched by name: another folder with the run's class names is judged as the run's own.
    expect(classRoles({ classNames: FASHION, trainedClasses: [0, 2] }, ['Trouser', 'noise', 'T-shirt/top'])).toEqual({ heldOut: [0], newClasses: [1] });
  });

  it('without the run’s class names, only the numbers it left out are known', () => {
    expect(classRoles({ classNames: null, trainedClasses: [0] }, ['a', 'b'])).toEqual({ heldOut: [1], newClasses: [] });
  });

  it('the ROC leaves unlabeled images out, and is only drawn with anomalies and trained images both present', () => {
    const score = { labels: [0, 1, 2, 2, 0], classNames: ['Trouser', 'noise', 'unlabeled'], heldOut: [], newClasses: [1] };
    const truth = anomalyTruth(score);
    expect(truth).toEqual([false, true, null, null, false]);
    // The unlabeled images' huge errors change nothing.
    expect(anomalyRoc([0.1, 0.5, 9, 9, 0.2], truth)!.auc).toBe(1);
    expect(anomalyRoc([0.1, 0.5], anomalyTruth({ labels: [0, 0], classNames: ['icons'], heldOut: [], newClasses: [0] }))).toBeNull();
  });

  it('precision and recall at a threshold, over the images whose class is known', () => {
    // Anomalies 0.9, 0.6, 0.2; the rest 0.7, 0.3, 0.1, 0.05; an unlabeled 0.95.
    const errors = [0.9, 0.6, 0.2, 0.7, 0.3, 0.1, 0.05, 0.95];
    const truth = [true, true, true, false, false, false, false, null];
    expect(thresholdStats(errors, truth, 0.5)).toEqual({ truePositives: 2, falsePositives: 1, falseNegatives: 1, trueNegatives: 3, precision: 2 / 3, recall: 2 / 3, falsePositiveRate: 1 / 4 });
    expect(thresholdStats(errors, truth, 1)).toMatchObject({ precision: null, recall: 0, falsePositiveRate: 0 });
    expect(thresholdStats(errors, [false, false, false, false, false, false, false, null], 0.5)).toBeNull();
  });

  it('the ranking as CSV says which images are of held-out and of new classes', () => {
    const csv = scoresCsv({ errors: [0.1, 0.5, 0.2], indices: [0, 1, 2], labels: [0, 1, 2], classNames: ['Trouser', 'Coat', 'noise'], files: null, heldOut: [1], newClasses: [2] }, 0.15);
    expect(csv).toBe('index,label,class,error,held_out,new_class,anomalous\n1,1,Coat,0.5,1,0,1\n2,2,noise,0.2,0,1,1\n0,0,Trouser,0.1,0,0,0\n');
  });
});
