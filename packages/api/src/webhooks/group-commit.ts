/**
 * Group commit: the first item is written at once; items that arrive while a write runs wait for
 * the next one, which carries them all. Under load, one round trip records many items; when quiet,
 * an item waits for nothing. Each caller's promise settles with the write that carried its item.
 */
export function groupCommit<Item>(
  write: (items: Item[]) => Promise<void>,
  maxBatch = 500,
): (item: Item) => Promise<void> {
  const waiting: { item: Item; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, maxBatch);
      try {
        await write(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    writing = false;
  }

  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!writing) void drain();
    });
}
