/**
 * Maintenance deletes across all users run in batches, so no transaction grows large: runs
 * `deleteBatch(batchSize)` (which deletes at most that many rows and says how many it did) until a
 * batch comes back short, and returns the total.
 */
export async function deleteInBatches(batchSize: number, deleteBatch: (limit: number) => Promise<bigint | number>) {
  let total = 0;
  for (;;) {
    const deleted = Number(await deleteBatch(batchSize));
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
