/** Runs a task once a slot is free; resolves or rejects as the task does. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * A first-come, first-served gate letting at most `limit` tasks run at once. Probes of a round queue
 * here so a large config opens a bounded number of sockets, whatever its size.
 *
 * @example
 * const limit = createLimiter(2);
 * await Promise.all(urls.map((url) => limit(() => probe(url)))); // never more than 2 in flight
 */
export function createLimiter(limit: number): Limiter {
  let active = 0;
  const waiting: Array<() => void> = [];
  const startNext = (): void => {
    if (active >= limit) return;
    const start = waiting.shift();
    if (start === undefined) return;
    active += 1;
    start();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      waiting.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active -= 1;
            startNext();
          });
      });
      startNext();
    });
}
