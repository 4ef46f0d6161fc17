import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../../shared/probes/concurrency-limit.ts';

describe('createLimiter', () => {
  it('runs every task, never more than the limit at once', async () => {
    const limit = createLimiter(4);
    let running = 0;
    let peak = 0;

    const results = await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        limit(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await sleep(index % 3);
          running -= 1;
          return index;
        }),
      ),
    );

    expect(results).toEqual(Array.from({ length: 25 }, (_, index) => index));
    expect(peak).toBe(4);
  });

  it('passes a rejection through and frees the slot', async () => {
    const limit = createLimiter(1);

    const failed = limit(() => Promise.reject(new Error('boom')));
    const next = limit(async () => 'next');

    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});
