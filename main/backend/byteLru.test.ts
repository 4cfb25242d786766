import { describe, expect, it } from 'vitest';
import { ByteLru } from './byteLru';

describe('a cache bounded by bytes', () => {
  it('evicts the least recently used entries until the bytes fit, whatever their number', () => {
    const evicted: string[] = [];
    const lru = new ByteLru<string>(100, (key) => evicted.push(key));
    lru.set('a', 'A', 40);
    lru.set('b', 'B', 40);
    lru.get('a'); // a is now the most recent
    lru.set('c', 'C', 40);
    expect(evicted).toEqual(['b']);
    expect(lru.keys()).toEqual(['a', 'c']);
    expect(lru.bytes).toBe(80);
    // One large entry pushes out both others; it stays although it alone is over the bound.
    lru.set('big', 'X', 150);
    expect(evicted).toEqual(['b', 'a', 'c']);
    expect([lru.keys(), lru.bytes]).toEqual([['big'], 150]);
    // Many small entries fit where the big one was.
    for (let i = 0; i < 10; i++) lru.set(`s${i}`, 's', 10);
    expect([lru.size, lru.bytes]).toEqual([10, 100]);
  });

  it('counts a resize, and never evicts a pinned entry', () => {
    const evicted: string[] = [];
    const lru = new ByteLru<number>(100, (key) => evicted.push(key));
    lru.set('model', 1, 30);
    lru.set('other', 2, 30);
    const release = lru.pin('model');
    lru.resize('other', 90); // codes computed: it grew
    expect(evicted).toEqual([]); // model is pinned, other is the one resized
    expect(lru.bytes).toBe(120);
    release();
    expect(evicted).toEqual(['model']);
    expect(lru.bytes).toBe(90);
  });

  it('replacing or deleting an entry frees the old value', () => {
    const evicted: [string, number][] = [];
    const lru = new ByteLru<number>(100, (key, value) => evicted.push([key, value]));
    lru.set('k', 1, 10);
    lru.set('k', 2, 20);
    expect(lru.delete('k')).toBe(true);
    expect(evicted).toEqual([['k', 1], ['k', 2]]);
    expect(lru.bytes).toBe(0);
  });
});
