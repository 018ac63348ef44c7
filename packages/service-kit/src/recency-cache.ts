/**
 * A bounded cache that keeps what was used recently, for lookups on every request (verified tokens,
 * folded case states). Two generations instead of an exact LRU: a hit in the young map costs one
 * lookup and no write, where an LRU built on one Map deletes and re-inserts the key on every hit,
 * leaving a deleted slot behind each time (measured in the read hot path: the two caches' LRU
 * bookkeeping took 6 of about 95 µs of Node CPU per request). When the young map is full it becomes
 * the old one and the old one is dropped whole; a hit in the old map moves the entry to the young one.
 * At most `capacity` entries are held; an entry survives at least `capacity / 2` insertions of others.
 */
export class RecencyCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generation: number;

  constructor(capacity: number) {
    // A capacity of 0 (or less) holds nothing: every `set` is forgotten at once.
    this.generation = capacity > 0 ? Math.max(1, Math.floor(capacity / 2)) : 0;
  }

  get(key: K): V | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) {
      this.old.delete(key);
      this.insert(key, old);
    }
    return old;
  }

  set(key: K, value: V): void {
    if (this.generation === 0) return;
    if (this.young.has(key)) {
      this.young.set(key, value);
      return;
    }
    this.old.delete(key);
    this.insert(key, value);
  }

  delete(key: K): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  private insert(key: K, value: V): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
