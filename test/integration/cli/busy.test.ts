/**
 * failoverctl during a storm: the flip function's one slot (reserved concurrency 1, as deployed)
 * is held by flips the watchdog started, and an operator's command gets "busy: N flips are
 * running; retry in N s" with exit 1, never a raw throttle error, and changes nothing.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHandler } from '../../../local/lambda/index.ts';
import { CONTROL_FUNCTION, FLIP_FUNCTIONS } from '../../../local/stack.ts';
import { stateStoreFromEnv } from '../../../shared/aws/state-store.ts';
import type { StateStore } from '../../../shared/domain/ports.ts';
import { contextFor, type Harness, startHarness } from '../../e2e/harness.ts';
import { runCli } from './run-cli.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const STORM = ['storm-a', 'storm-b', 'storm-c'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler that holds its slot until released. */
function heldHandler(): { handler: LocalHandler; release: () => void } {
  let release: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    handler: async () => opened.then(() => ({ outcome: 'stale', message: 'held by the test' })),
    release,
  };
}

describe('failoverctl while the functions are busy', () => {
  let h: Harness;
  let store: StateStore;
  let watchdog: Handler;
  let setupChanges = 0;
  const changesFor = (service: string) =>
    h.stack.route53.changes
      .slice(setupChanges)
      .filter((c) => JSON.stringify(c.changes).includes(`${service}.example.test`));
  const until = async (condition: () => boolean) => {
    while (!condition()) await sleep(20);
  };

  beforeAll(async () => {
    h = await startHarness([...STORM, 'planned'].map((name) => ({ name, failback: 'manual' as const })));
    store = stateStoreFromEnv();
    setupChanges = h.stack.route53.changes.length;
    watchdog = (await import('../../../functions/watchdog.ts')).handler as unknown as Handler;
    await watchdog({ time: new Date().toISOString() }, contextFor(2)); // first sight: every target up
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('answers a planned failover with the flips ahead of it and when to retry, exit 1, nothing changed', async () => {
    const failover = (await import('../../../functions/failover.ts')).handler as unknown as LocalHandler;
    const held = heldHandler();
    h.stack.lambda.register(FLIP_FUNCTIONS.failover, { handler: held.handler });
    for (const service of STORM) h.backends.get(service)?.primary.setMode({ kind: 'failing' });
    await watchdog({ time: new Date().toISOString() }, contextFor(3)); // three failovers decided
    await until(() => h.stack.lambda.load(FLIP_FUNCTIONS.failover).running === 1);

    let run: Awaited<ReturnType<typeof runCli>>;
    try {
      run = await runCli(['failover', 'planned', '--reason', 'db upgrade']);
    } finally {
      held.release();
    }

    expect(run.code).toBe(1);
    expect(run.err).toContain('busy: 3 flips are running; retry in 90 s.');
    expect(run.err).toContain("Watch progress with 'failoverctl status'");
    expect(run.err).not.toMatch(/TooManyRequests|Rate Exceeded/);
    expect(changesFor('planned')).toHaveLength(0);
    expect((await store.load('planned'))?.value).toMatchObject({ active: 'primary', moving: null });
    expect(h.stack.lambda.throttles.some((t) => t.type === 'RequestResponse')).toBe(true);

    h.stack.lambda.register(FLIP_FUNCTIONS.failover, { handler: failover });
    await h.stack.lambda.idle();
    const retried = await runCli(['failover', 'planned', '--reason', 'db upgrade']);

    expect(retried.code).toBe(0);
    expect(retried.out).toContain(
      'Failed over: Moved planned from the primary to the secondary: db upgrade.',
    );
  }, 60_000);

  it('answers pause with busy while the control function handles another request', async () => {
    const control = (await import('../../../functions/control.ts')).handler as unknown as LocalHandler;
    const held = heldHandler();
    h.stack.lambda.register(CONTROL_FUNCTION, { handler: held.handler });
    const lambda = new LambdaClient({});
    const first = lambda.send(
      new InvokeCommand({ FunctionName: CONTROL_FUNCTION, Payload: new TextEncoder().encode('{}') }),
    );
    await until(() => h.stack.lambda.load(CONTROL_FUNCTION).running === 1);

    const run = await runCli(['pause', 'planned', '--reason', 'maintenance']);
    held.release();
    await first;
    lambda.destroy();
    h.stack.lambda.register(CONTROL_FUNCTION, { handler: control });

    expect(run.code).toBe(1);
    expect(run.err).toContain('busy: the control function is handling another request; retry in 5 s.');
    expect((await store.load('planned'))?.value.paused).toBe(false);
  });
});
