import { type Db, isDatabaseReady } from '@taskwire/db';

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * What /readyz answers: whether the database answers a trivial query. One check runs at a time;
 * while it is slow (the embedded database is busy with a long statement, a pool is exhausted), a
 * caller waits at most `patienceMs` and then gets the last known answer, so an orchestrator's probe
 * never stalls behind the work it is asking about.
 */
export function createReadinessCheck(db: Db, { patienceMs = 50, timeoutMs = 5_000 } = {}): () => Promise<boolean> {
  let last: boolean | undefined;
  let inFlight: Promise<boolean> | undefined;
  const check = () => {
    inFlight ??= isDatabaseReady(db, timeoutMs).then((ready) => {
      last = ready;
      inFlight = undefined;
      return ready;
    });
    return inFlight;
  };
  return async () => {
    const result = check();
    const known = last;
    if (known === undefined) return result;
    return Promise.race([result, sleep(patienceMs).then(() => known)]);
  };
}
