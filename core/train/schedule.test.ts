import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE, type LearningRateSchedule } from '../graph/types';
import { describeSchedule, learningRateAt } from './schedule';

const at = (schedule: Partial<LearningRateSchedule>, step: number, epochs = 10, stepsPerEpoch = 4) => learningRateAt({ learningRate: 0.1, schedule: { ...DEFAULT_SCHEDULE, ...schedule }, epochs, stepsPerEpoch }, step);

describe('learning-rate schedule', () => {
  it('constant holds the learning rate at every step', () => {
    for (const step of [1, 5, 40]) expect(at({}, step)).toBe(0.1);
  });

  it('warms up linearly over whole epochs, then holds', () => {
    // 2 warm-up epochs of 4 steps: step s is at s/8 of the rate.
    expect(at({ warmupEpochs: 2 }, 1)).toBeCloseTo(0.1 / 8, 12);
    expect(at({ warmupEpochs: 2 }, 4)).toBeCloseTo(0.05, 12);
    expect(at({ warmupEpochs: 2 }, 8)).toBeCloseTo(0.1, 12);
    expect(at({ warmupEpochs: 2 }, 9)).toBe(0.1);
  });

  it('step multiplies by the factor at each boundary of stepEvery epochs', () => {
    const s = { kind: 'step' as const, stepEvery: 3, stepFactor: 0.5 };
    // Epoch e (from 1) has steps 4(e−1)+1 … 4e.
    expect(at(s, 12)).toBe(0.1); // last step of epoch 3
    expect(at(s, 13)).toBe(0.05); // first of epoch 4
    expect(at(s, 25)).toBeCloseTo(0.025, 12); // epoch 7
  });

  it('cosine runs from the rate to the floor over the run, after the warm-up, and stays at the floor', () => {
    const s = { kind: 'cosine' as const, floor: 0.1, warmupEpochs: 2 };
    expect(at(s, 9)).toBeCloseTo(0.1, 12); // start of epoch 3, the top
    // Halfway through the 8 cosine epochs (epoch 7's start): the mean of top and floor.
    expect(at(s, 25)).toBeCloseTo((0.1 + 0.01) / 2, 12);
    expect(at(s, 41)).toBeCloseTo(0.01, 12); // past the run's end: the floor
    // An explicit length wins over the run's epochs: a continued run keeps its curve.
    expect(at({ ...s, length: 10 }, 25, 20)).toBeCloseTo(at(s, 25, 10), 12);
  });

  it('depends only on the step, not on the epochs still to come (continuing is exact) except for a cosine of the run', () => {
    for (const kind of ['constant', 'step'] as const) for (let step = 1; step <= 8; step++) expect(at({ kind, warmupEpochs: 1 }, step, 2)).toBe(at({ kind, warmupEpochs: 1 }, step, 4));
  });

  it('is described in words', () => {
    expect(describeSchedule({ ...DEFAULT_SCHEDULE, kind: 'cosine', floor: 0.1, warmupEpochs: 2 }, 20)).toBe('cosine to 0.1× over 20 epochs, 2 warm-up epochs');
    expect(describeSchedule({ ...DEFAULT_SCHEDULE, kind: 'step', stepEvery: 5, stepFactor: 0.5 }, 20)).toBe('×0.5 every 5 epochs');
  });
});
