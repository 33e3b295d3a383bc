/**
 * Runs `work` on each item, `n` at a time, in the list's order (a few round trips
 * at once: one at a time adds up over hundreds of shards on a slow link). The
 * first failure starts no new item and is thrown once those under way have
 * ended, so nothing is still writing when the caller cleans up.
 */
export async function inLanes<T>(items: readonly T[], n: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  const lanes = Array.from({ length: Math.min(n, items.length) }, () =>
    lane().catch((err: unknown) => {
      failed = true;
      throw err;
    }),
  );
  const failure = (await Promise.allSettled(lanes)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}
