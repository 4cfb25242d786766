import { describe, expect, it } from 'vitest';
import { undercomplete } from '../templates/undercomplete';
import { validateGraphDoc } from './schema';
import { checkTrainingValue, SCHEDULE_BOUNDS, TRAINING_BOUNDS, trainingBoundsAt } from './trainingBounds';
import { DEFAULT_TRAINING } from './types';

describe('training bounds', () => {
  it('name what a value must be', () => {
    expect(checkTrainingValue('epochs', 0)).toBe('must be a whole number from 1 to 10,000');
    expect(checkTrainingValue('epochs', 2.5)).toBe('must be a whole number from 1 to 10,000');
    expect(checkTrainingValue('learningRate', 0)).toBe('must be a number above 0 and at most 1,000');
    expect(checkTrainingValue('learningRate', Number.NaN)).toBe('must be a number above 0 and at most 1,000');
    expect(checkTrainingValue('momentum', 1)).toBe('must be a number from 0 to 0.999');
    expect(checkTrainingValue('seed', -1)).toBe('must be a whole number from 0 to 2,147,483,647');
    for (const [setting, value] of [['epochs', 10_000], ['learningRate', 1e-12], ['learningRate', 1000], ['validationSplit', 0.01], ['seed', 0], ['earlyStoppingPatience', 0]] as const) {
      expect(checkTrainingValue(setting, value), `${setting} ${value}`).toBeNull();
    }
  });

  it('hold every default, and bound every numeric setting of the graph', () => {
    const numeric = Object.entries(DEFAULT_TRAINING).filter(([, v]) => typeof v === 'number').map(([k]) => k);
    expect(Object.keys(TRAINING_BOUNDS).sort()).toEqual(numeric.sort());
    for (const key of Object.keys(TRAINING_BOUNDS) as (keyof typeof TRAINING_BOUNDS)[]) expect(checkTrainingValue(key, DEFAULT_TRAINING[key]), key).toBeNull();
  });

  it('are what the graph schema checks a file against, with the same words', () => {
    const doc = undercomplete();
    expect(() => validateGraphDoc({ ...doc, training: { ...doc.training, learningRate: 0 } })).toThrow('training.learningRate: must be a number above 0 and at most 1,000');
    expect(() => validateGraphDoc({ ...doc, training: { ...doc.training, batchSize: 70_000 } })).toThrow('training.batchSize: must be a whole number from 1 to 65,536');
    expect(validateGraphDoc({ ...doc, training: { ...doc.training, learningRate: 1e3 } }).training.learningRate).toBe(1e3);
  });

  it('reach the schedule, weight decay and augmentation by path, and the schema checks them naming the path', () => {
    expect(trainingBoundsAt('training.weightDecay')).toBe(TRAINING_BOUNDS.weightDecay);
    expect(trainingBoundsAt('training.schedule.warmupEpochs')).toBe(SCHEDULE_BOUNDS.warmupEpochs);
    expect(trainingBoundsAt('training.augmentation.rotation')?.max).toBe(30);
    for (const unknown of ['training.schedule.kind', 'training.nothing', 'schedule.floor', 'training.schedule.floor.x', 'training.schedule.toString']) expect(trainingBoundsAt(unknown), unknown).toBeNull();
    const doc = undercomplete();
    expect(() => validateGraphDoc({ ...doc, training: { ...doc.training, weightDecay: 2 } })).toThrow('training.weightDecay: must be a number from 0 to 1');
    expect(() => validateGraphDoc({ ...doc, training: { ...doc.training, schedule: { kind: 'cosine', floor: 1.5 } } })).toThrow('training.schedule.floor: must be a number from 0 to 1');
    expect(() => validateGraphDoc({ ...doc, training: { ...doc.training, schedule: { kind: 'linear' } } })).toThrow('training.schedule.kind');
    expect(() => validateGraphDoc({ ...doc, training: { ...doc.training, augmentation: { rotation: 90 } } })).toThrow('training.augmentation.rotation: must be a number from 0 to 30');
  });

  it('complete a file written before the schedule, weight decay and augmentation with their defaults', () => {
    const doc = undercomplete();
    const { weightDecay: _w, schedule: _s, augmentation: _a, ...older } = doc.training;
    const read = validateGraphDoc({ ...doc, training: { ...older, schedule: { kind: 'step' } } });
    expect(read.training).toMatchObject({ weightDecay: 0, schedule: { ...DEFAULT_TRAINING.schedule, kind: 'step' }, augmentation: DEFAULT_TRAINING.augmentation });
  });
});
