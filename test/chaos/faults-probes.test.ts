/**
 * Chaos matrix, probed endpoints: a primary that flaps at 1/10 … 9/10 failures, a brownout, answers
 * just under and over `maxLatencyMs` — all in one 10-round watchdog run, each service with its own
 * scripted backend whose served sequence is the ground truth — and a standby that dies during the
 * failover. failureThreshold is 2: a failover must happen if and only if 2 failures in a row were served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchdogReport } from '../../shared/controller/watchdog.ts';
import { healthOf } from '../../shared/domain/state.ts';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';
import { firstRunOfFailures, type HealthReply } from './support/scripted-backend.ts';
import { expectSettled } from './support/settled.ts';

const ROUNDS = 10;
const RATES = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
const flapName = (k: number) => `flap-${k}`;
const failedOverOnce = { phase: 'secondary-active', epoch: 1, flips: 1, events: ['failover'] } as const;
const untouched = { phase: 'primary-active', epoch: 0, flips: 0, events: [] } as const;

/** `k` failures among ROUNDS rounds, at positions shuffled by a fixed seed (mulberry32). */
function flapScript(k: number): HealthReply[] {
  let seed = 0x5eed + k;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const slots: HealthReply[] = Array.from({ length: ROUNDS }, (_, i) => (i < k ? 'fail' : 'ok'));
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [slots[i], slots[j]] = [slots[j] ?? 'ok', slots[i] ?? 'ok'];
  }
  return slots;
}

describe('chaos: probed endpoint faults', () => {
  let stack: ChaosStack;
  let report: WatchdogReport;
  const batch = [...RATES.map(flapName), 'brownout', 'slow-under', 'slow-over'];

  beforeAll(async () => {
    stack = await startChaosStack([
      ...RATES.map((k) => ({ name: flapName(k) })),
      { name: 'brownout' },
      { name: 'slow-under', primaryCheck: 'maxLatencyMs: 300' },
      { name: 'slow-over', primaryCheck: 'maxLatencyMs: 300' },
      { name: 'standby-dies' },
    ]);
    for (const k of RATES) stack.backends(flapName(k)).primary.script(flapScript(k), 'ok');
    stack.backends('brownout').primary.script(
      Array.from({ length: ROUNDS }, (_, i) => (i % 2 === 0 ? 'fail' : 'ok')),
      'ok',
    );
    stack.backends('slow-under').primary.set({ slowMs: 100 });
    stack.backends('slow-over').primary.set({ slowMs: 400 });
    report = await stack.runWatchdog(ROUNDS, { only: batch });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it(`ran ${ROUNDS} rounds, each primary probed once per round`, () => {
    expect(report.rounds).toBe(ROUNDS);
    for (const name of batch) expect(stack.backends(name).primary.served).toHaveLength(ROUNDS);
    // Both outcomes occur across the rates, so the comparison below is never one-sided.
    const truths = RATES.map((k) => firstRunOfFailures(stack.backends(flapName(k)).primary.served, 2));
    expect(truths.some((t) => t === null)).toBe(true);
    expect(truths.some((t) => t !== null)).toBe(true);
  });

  it.each(RATES)('fails over at a %i/10 flap rate only if 2 failures in a row were served', async (k) => {
    const name = flapName(k);
    const served = stack.backends(name).primary.served;
    const truth = firstRunOfFailures(served, 2);

    expect(served.filter((r) => r === 'fail')).toHaveLength(k);
    if (truth === null) {
      await expectSettled(stack, name, untouched);
      return;
    }
    // After the failover, a primary that answers twice in a row is up again: failback is manual,
    // so people are told it is ready (once per recovery), and traffic stays.
    const events = stack.hookEvents(name);
    expect(events[0]).toBe('failover');
    expect(events.slice(1).every((e) => e === 'failback-ready')).toBe(true);
    await expectSettled(stack, name, { ...failedOverOnce, events });
  });

  it('does not fail over on a brownout (every other request fails)', async () => {
    expect(firstRunOfFailures(stack.backends('brownout').primary.served, 2)).toBeNull();
    await expectSettled(stack, 'brownout', untouched);
    expect(healthOf(await stack.state('brownout'), 'primary').status).toBe('up');
  });

  it('keeps a primary that answers just under maxLatencyMs', async () => {
    await expectSettled(stack, 'slow-under', untouched);
    expect(healthOf(await stack.state('slow-under'), 'primary').status).toBe('up');
  });

  it('fails over from a primary that answers just over maxLatencyMs, with the latency as evidence', async () => {
    await expectSettled(stack, 'slow-over', failedOverOnce);
    const [check] = healthOf(await stack.state('slow-over'), 'primary').last;
    expect(check?.reason).toMatch(/over 300 ms|timeout/);
  });

  it('refuses a failover to a standby that dies during it; fails over once the standby is back', async () => {
    const { primary, secondary } = stack.backends('standby-dies');
    primary.set('fail');
    secondary.script(['ok', 'ok'], 'fail'); // healthy for the watchdog's 2 rounds, dead for the re-check

    await stack.runWatchdog(2, { only: ['standby-dies'] });

    const [run] = stack.flipRuns('failover', 'standby-dies');
    expect(run?.result?.outcome).toBe('refused');
    expect(run?.result?.verification?.ok).toBe(false);
    expect(healthOf(await stack.state('standby-dies'), 'secondary').status).toBe('down');
    await expectSettled(stack, 'standby-dies', {
      phase: 'primary-active',
      epoch: 0,
      flips: 0,
      events: ['failover-refused'],
    });

    secondary.set('ok');
    await stack.runWatchdog(3, { only: ['standby-dies'] }); // recoveryThreshold 2, then the failover

    // The refused standby counts as down until it has answered twice (recoveryThreshold): meanwhile
    // both targets are down, which is alerted once; then the failover.
    await expectSettled(stack, 'standby-dies', {
      phase: 'secondary-active',
      epoch: 1,
      flips: 1,
      events: ['failover-refused', 'both-down', 'failover'],
    });
  });
});
