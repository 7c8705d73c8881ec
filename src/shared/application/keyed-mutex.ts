/**
 * Runs work for the same key one at a time, in arrival order, within this process. Requests that
 * touch one stream then decide on fresh state instead of racing to a conflict and retrying.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const ordered = [...new Set(keys)].sort();
    return this.acquire(ordered, 0, work);
  }

  private async acquire<T>(keys: string[], index: number, work: () => Promise<T>): Promise<T> {
    if (index === keys.length) return work();
    const key = keys[index];
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await this.acquire(keys, index + 1, work);
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
