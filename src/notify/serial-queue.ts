// Runs async jobs one after another per key: two notifications for one instance never overlap and
// always run in the order of the transitions they describe; different keys run independently.
export class SerialQueue {
  private tails = new Map<string, Promise<void>>();

  push(key: string, job: () => Promise<void>): Promise<void> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(job).catch(() => { /* a job reports its own errors */ });
    this.tails.set(key, next);
    void next.then(() => { if (this.tails.get(key) === next) this.tails.delete(key); });
    return next;
  }

  /** Resolves when every job queued so far has finished. */
  async idle(): Promise<void> {
    while (this.tails.size) await Promise.all([...this.tails.values()]);
  }
}
