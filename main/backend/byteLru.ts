/**
 * A least-recently-used cache bounded by bytes, not entries: a loaded model or a dataset's images
 * vary from kilobytes to hundreds of megabytes. Entries in use (pinned) are never evicted; the cache
 * may then sit over its bound until they are released.
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number; pins: number }>();
  private held = 0;

  constructor(
    readonly maxBytes: number,
    /** Frees what an evicted value holds (a model's tensors). */
    private readonly onEvict: (key: string, value: V) => void = () => {},
  ) {}

  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.entries.size;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The value, now the most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  bytesOf(key: string): number | undefined {
    return this.entries.get(key)?.bytes;
  }

  /** Adds or replaces a value (the old one is evicted), then evicts the least recently used until within the bound. */
  set(key: string, value: V, bytes: number): void {
    const old = this.entries.get(key);
    if (old) this.remove(key);
    this.entries.set(key, { value, bytes, pins: 0 });
    this.held += bytes;
    this.trim(key);
  }

  /** A value grew or shrank (codes computed for a model): its new size counts, and others may be evicted. */
  resize(key: string, bytes: number): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.held += bytes - entry.bytes;
    entry.bytes = bytes;
    this.trim(key);
  }

  /** Keeps an entry from eviction until the returned release is called. */
  pin(key: string): () => void {
    const entry = this.entries.get(key);
    if (!entry) return () => {};
    entry.pins++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.pins--;
      if (this.entries.get(key) === entry) this.trim(null);
    };
  }

  delete(key: string): boolean {
    if (!this.entries.has(key)) return false;
    this.remove(key);
    return true;
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.remove(key);
  }

  private remove(key: string) {
    const entry = this.entries.get(key)!;
    this.entries.delete(key);
    this.held -= entry.bytes;
    this.onEvict(key, entry.value);
  }

  /**
   * Evicts the oldest unpinned entries until within the bound; never `keep` (the one just added or
   * resized) nor the most recent, which stays even when it alone is over the bound.
   */
  private trim(keep: string | null) {
    const newest = [...this.entries.keys()].at(-1);
    for (const [key, entry] of this.entries) {
      if (this.held <= this.maxBytes) return;
      if (key === keep || key === newest || entry.pins > 0) continue;
      this.remove(key);
    }
  }
}
