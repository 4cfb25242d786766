/**
 * The learning rate at each optimizer step, from the graph's schedule. Positions are counted in
 * epochs from the run's start (step s of an epoch of n steps is at (s − 1) / n), so a continued run
 * meets the same rates its uninterrupted twin met, whatever its epochs.
 */
import type { LearningRateSchedule, TrainingSettings } from '../graph/types';

export interface ScheduleContext {
  learningRate: number;
  schedule: LearningRateSchedule;
  /** The run's epochs: a cosine of length 0 spans them. */
  epochs: number;
  stepsPerEpoch: number;
}

/** The epochs a cosine spans (0 stands for the run's epochs). */
export function cosineLength(schedule: LearningRateSchedule, epochs: number): number {
  return schedule.length > 0 ? schedule.length : epochs;
}

/** The learning rate of global step `step` (counted from 1). */
export function learningRateAt(ctx: ScheduleContext, step: number): number {
  const { learningRate, schedule, stepsPerEpoch } = ctx;
  const position = (step - 1) / stepsPerEpoch;
  const warmup = schedule.warmupEpochs;
  // Linear from one step's share up to 1 at the warm-up's end, so the first step already moves.
  const warm = warmup > 0 ? Math.min(1, step / (warmup * stepsPerEpoch)) : 1;
  switch (schedule.kind) {
    case 'constant':
      return learningRate * warm;
    case 'step':
      return learningRate * warm * schedule.stepFactor ** Math.floor(position / schedule.stepEvery);
    case 'cosine': {
      const span = cosineLength(schedule, ctx.epochs) - warmup;
      const progress = span > 0 ? Math.min(1, Math.max(0, position - warmup) / span) : 1;
      const bottom = learningRate * schedule.floor;
      return warm * (bottom + (learningRate - bottom) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
  }
}

/** The schedule in words, for the dashboard and the CLI ("cosine to 0.1× over 20 epochs, 2 warm-up"). */
export function describeSchedule(schedule: LearningRateSchedule, epochs: number): string {
  const warm = schedule.warmupEpochs > 0 ? `, ${schedule.warmupEpochs} warm-up epoch${schedule.warmupEpochs === 1 ? '' : 's'}` : '';
  switch (schedule.kind) {
    case 'constant':
      return `constant${warm}`;
    case 'step':
      return `×${schedule.stepFactor} every ${schedule.stepEvery} epoch${schedule.stepEvery === 1 ? '' : 's'}${warm}`;
    case 'cosine':
      return `cosine to ${schedule.floor}× over ${cosineLength(schedule, epochs)} epochs${warm}`;
  }
}

/**
 * A run's settings continued to `epochs` in all: a cosine that spanned the run keeps the length it
 * started with (the added epochs train at its floor), so the epochs already trained stay as they were.
 */
export function continuedTraining(training: TrainingSettings, epochs: number): TrainingSettings {
  const { schedule } = training;
  const pinned = schedule.kind === 'cosine' && schedule.length === 0 ? { ...schedule, length: training.epochs } : schedule;
  return { ...training, epochs, schedule: pinned };
}
