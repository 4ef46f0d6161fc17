/**
 * Hostile invocation payloads for the failover and failback functions. `parseFlipRequest` meets
 * thousands of them; the real handlers, on the local stack, a sample of each family. Every one is
 * rejected with a bounded, readable reason, touches neither DynamoDB nor Route 53, and leaves
 * `Object.prototype` as it was.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateStoreFromEnv } from '../../shared/aws/state-store.ts';
import type { FlipResponse } from '../../shared/controller/flip.ts';
import { parseFlipRequest } from '../../shared/controller/flip-request.ts';
import type { StateStore } from '../../shared/domain/ports.ts';
import { contextFor, type Harness, startHarness } from '../e2e/harness.ts';
import {
  hostilePayload,
  OVERSIZED,
  oversizedPayload,
  pollutionPayload,
  randomJsonPayload,
  wrongTypePayload,
} from '../support/hostile-payloads.ts';

const SERVICE = 'victim';
/** A rejection may quote what was wrong, never echo the payload: far below any oversized field. */
const MAX_REJECTION_CHARS = 4_096;
const ALLOWED = new Set([
  'service',
  'reason',
  'requestedBy',
  'epoch',
  'dryRun',
  'force',
  'evidence',
  'to',
  'correlationId',
]);

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

function expectUnpolluted(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  for (const key of ['polluted', 'force', 'isAdmin']) expect(Reflect.get({}, key)).toBeUndefined();
}

describe('parseFlipRequest on hostile payloads', () => {
  it('rejects 3,000 hostile payloads with short reasons, or returns only the allowed fields', () => {
    let rejected = 0;
    fc.assert(
      fc.property(hostilePayload(SERVICE), (payload) => {
        const parsed = parseFlipRequest(payload);
        if (parsed.ok) {
          expect(Object.getPrototypeOf(parsed.request)).toBe(Object.prototype);
          for (const key of Object.keys(parsed.request)) expect(ALLOWED.has(key)).toBe(true);
          return;
        }
        rejected++;
        expect(parsed.errors.length).toBeGreaterThan(0);
        for (const error of parsed.errors) expect(error.trim()).not.toBe('');
        expect(parsed.errors.join('; ').length).toBeLessThan(MAX_REJECTION_CHARS);
      }),
      { numRuns: 3_000, seed: 7_101 },
    );
    expect(rejected).toBeGreaterThan(2_500);
    expectUnpolluted();
  });

  it('rejects every prototype-pollution key, top level or nested, by name', () => {
    fc.assert(
      fc.property(pollutionPayload(SERVICE), (payload) => {
        const parsed = parseFlipRequest(payload);

        expect(parsed.ok).toBe(false);
        expect(!parsed.ok && parsed.errors.join('\n')).toMatch(
          /unknown field '(__proto__|constructor|prototype)'/,
        );
      }),
      { numRuns: 300, seed: 7_102 },
    );
    expectUnpolluted();
  });

  it('rejects every oversized field without quoting it', () => {
    fc.assert(
      fc.property(oversizedPayload(SERVICE), (payload) => {
        const parsed = parseFlipRequest(payload);

        expect(parsed.ok).toBe(false);
        expect(!parsed.ok && parsed.errors.join('; ').length).toBeLessThan(MAX_REJECTION_CHARS);
      }),
      { numRuns: 100, seed: 7_103 },
    );
  });

  it('lists ten problems and counts the rest', () => {
    const payload = {
      service: SERVICE,
      evidence: { primary: Array.from({ length: 40 }, () => 7), secondary: [] },
    };

    const parsed = parseFlipRequest(payload);

    expect(!parsed.ok && parsed.errors).toHaveLength(11);
    expect(!parsed.ok && parsed.errors.at(-1)).toBe('and 30 more problems');
  });
});

describe('the failover and failback handlers on hostile payloads, on the local stack', () => {
  let h: Harness;
  let store: StateStore;
  let handlers: Record<'failover' | 'failback', (event: unknown, context: unknown) => Promise<FlipResponse>>;
  const context = { functionName: 'flip', getRemainingTimeInMillis: () => 60_000 };

  beforeAll(async () => {
    h = await startHarness([{ name: SERVICE, failback: 'manual' }]);
    const watchdog = (await import('../../functions/watchdog.ts')).handler as unknown as (
      event: unknown,
      context: unknown,
    ) => Promise<unknown>;
    // One round, so that the service has a stored state to leave alone.
    await watchdog({ time: new Date().toISOString() }, contextFor(1));
    store = stateStoreFromEnv();
    handlers = {
      failover: (await import('../../functions/failover.ts')).handler as unknown as typeof handlers.failover,
      failback: (await import('../../functions/failback.ts')).handler as unknown as typeof handlers.failback,
    };
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('rejects a sample of every family in both directions and changes nothing', async () => {
    const before = await store.load(SERVICE);
    const families = [
      pollutionPayload(SERVICE),
      oversizedPayload(SERVICE),
      wrongTypePayload('not-configured'),
      randomJsonPayload,
    ];
    const payloads = families
      .flatMap((family, index) => fc.sample(family, { numRuns: 40, seed: 7_110 + index }))
      .filter((payload) => {
        // A payload that happens to be a valid request for the real service would rightly flip it.
        const parsed = parseFlipRequest(payload);
        return !(parsed.ok && parsed.request.service === SERVICE);
      });
    const dynamoCalls = h.stack.dynamo.operations.length;
    const route53Calls = h.stack.route53.calls.length;
    const invocations = h.stack.lambda.invocations.length;

    const outcomes: FlipResponse[] = [];
    for (const payload of payloads) {
      outcomes.push(await handlers.failover(payload, context));
      outcomes.push(await handlers.failback(payload, context));
    }

    expect(payloads.length).toBeGreaterThan(150);
    for (const outcome of outcomes) {
      expect(outcome.outcome).toBe('rejected');
      expect(outcome.message).toMatch(/^Request rejected: \S/);
      expect(outcome.message.length).toBeLessThan(MAX_REJECTION_CHARS);
      expect(outcome.service.length).toBeLessThanOrEqual(64);
    }
    expect(h.stack.dynamo.operations.length).toBe(dynamoCalls);
    expect(h.stack.route53.calls.length).toBe(route53Calls);
    expect(h.stack.lambda.invocations.length).toBe(invocations);
    expect(await store.load(SERVICE)).toEqual(before);
    expect(before?.value).toMatchObject({ active: 'primary', moving: null });
    expectUnpolluted();
  });

  it('rejects a payload far past 256 KiB at once', async () => {
    const payload = { service: SERVICE, reason: 'r'.repeat(4 * OVERSIZED), [`k${'e'.repeat(OVERSIZED)}`]: 1 };

    const outcome = await handlers.failover(payload, context);

    expect(outcome.outcome).toBe('rejected');
    expect(outcome.errors).toEqual([
      'reason: at most 1000 characters',
      `payload: unknown field 'k${'e'.repeat(59)}...'; allowed: service, reason, requestedBy, epoch, dryRun, force, evidence, to, step, weights, steps, correlationId`,
    ]);
  });
});
