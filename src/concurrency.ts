/**
 * The one concurrency limiter. Its promise settles only when every call it
 * started has settled: after a failure no new call starts, the running ones
 * are awaited, then the first error is thrown. A caller that cleans up on
 * error (removes a temp dir, closes a connection) never races a write that
 * is still going on.
 */

/** Runs `fn` over `items` with at most `limit` calls in flight (in order of start). */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
}
