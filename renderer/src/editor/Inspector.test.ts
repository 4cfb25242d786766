import { describe, expect, it } from 'vitest';
import { TRAINING_BOUNDS } from '../../../core/graph/trainingBounds';
import { numberProblem } from './Inspector';

describe('the Inspector checks a typed number', () => {
  it('as the schema does: bounds, whole numbers, and a learning rate above 0', () => {
    expect(numberProblem('0', 1, 512, true)).toBe('between 1 and 512');
    expect(numberProblem('2.5', 1, 512, true)).toBe('enter a whole number');
    expect(numberProblem('', 1, 512, true)).toBe('enter a number');
    expect(numberProblem('64', 1, 512, true)).toBeNull();
    const lr = TRAINING_BOUNDS.learningRate;
    expect(numberProblem('0', lr.min, lr.max, lr.integer, lr.exclusiveMin)).toBe('above 0 and at most 1,000');
    expect(numberProblem('1e-8', lr.min, lr.max, lr.integer, lr.exclusiveMin)).toBeNull();
  });
});
