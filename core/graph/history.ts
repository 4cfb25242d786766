/**
 * Undo history as immutable snapshots (tldraw's HistoryManager is the model): every edit pushes the
 * state it replaced; undo and redo move between them. Graph documents are small, so whole snapshots
 * are simpler and safer than inverse operations.
 */
export class History<T> {
  private past: T[] = [];
  private future: T[] = [];

  constructor(
    private current: T,
    private readonly limit = 500,
  ) {}

  get present(): T {
    return this.current;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** Records `next` as the new present; an edit that changes nothing is not recorded. */
  push(next: T): T {
    if (next === this.current) return next;
    this.past.push(this.current);
    if (this.past.length > this.limit) this.past.shift();
    this.current = next;
    this.future = [];
    return next;
  }

  undo(): T {
    const previous = this.past.pop();
    if (previous !== undefined) {
      this.future.push(this.current);
      this.current = previous;
    }
    return this.current;
  }

  redo(): T {
    const next = this.future.pop();
    if (next !== undefined) {
      this.past.push(this.current);
      this.current = next;
    }
    return this.current;
  }

  /** Starts over from `state` (a newly opened file): nothing to undo. */
  reset(state: T): T {
    this.past = [];
    this.future = [];
    this.current = state;
    return state;
  }
}
