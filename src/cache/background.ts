/**
 * Background work of a cache (stores): run one at a time in the order
 * started, never throw, and report failures as warnings at flush — the
 * first failure in full, the rest as a count.
 */
export class BackgroundQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly failures: string[] = [];

  constructor(private readonly what: string) {}

  /** Queues `task`; its failure becomes a warning. */
  run(label: string, task: () => Promise<void>): void {
    this.tail = this.tail.then(
      () =>
        task().catch((e: unknown) => {
          this.failures.push(`${label}: ${e instanceof Error ? e.message : String(e)}`);
        }),
      () => undefined,
    );
  }

  /** Waits for every queued task; returns the warnings (and forgets them). */
  async settle(): Promise<string[]> {
    await this.tail;
    const f = this.failures.splice(0);
    if (f.length === 0) return [];
    const first = `${this.what}: storing a cache entry failed (the build is not affected): ${f[0]}`;
    return f.length === 1 ? [first] : [first, `${this.what}: ${f.length - 1} more cache stores failed`];
  }
}
