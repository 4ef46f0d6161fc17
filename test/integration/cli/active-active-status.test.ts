/**
 * failoverctl status and plan of an active-active service (issue #13 item 3) on the local stack: the
 * decided weight map (each target's share, drained ones at 0), a share ramping back (target, step,
 * percent, when the next step is due and on what gate) and, with --json, the same under `shares`.
 * The states are written through the real state store, as the flip function records them; plan
 * invokes the real failover function, which refuses a move by hand of an active-active service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateStoreFromEnv } from '../../../shared/aws/state-store.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import type { StateStore } from '../../../shared/domain/ports.ts';
import type { ServiceState, TargetHealth } from '../../../shared/domain/state.ts';
import { type Harness, startHarness } from '../../e2e/harness.ts';
import { runCli } from './run-cli.ts';

const TARGETS = ['primary', 'secondary', 'tertiary'] as const;
const POLICY = ['failbackSteps: [10, 50, 100]', 'stepHoldSeconds: 60', 'stepAlarm: ramping-5xx'];

const health = (status: 'up' | 'down', since: number): TargetHealth => ({
  status,
  okStreak: status === 'up' ? 5 : 0,
  failStreak: status === 'down' ? 3 : 0,
  since,
  last: [],
});

describe('failoverctl status and plan of an active-active service', () => {
  let h: Harness;
  let store: StateStore;
  let now: number;

  beforeAll(async () => {
    h = await startHarness([
      { name: 'drained', failback: 'auto', targets: TARGETS, weights: [50, 30, 20], policy: POLICY },
      { name: 'ramping', failback: 'auto', targets: TARGETS, weights: [50, 30, 20], policy: POLICY },
      { name: 'unseen', failback: 'auto', targets: TARGETS, weights: [50, 30, 20], policy: POLICY },
      { name: 'plain', failback: 'auto' },
    ]);
    store = stateStoreFromEnv();
    now = Date.now();
    const base = (service: string): ServiceState => ({
      ...initialState(service, 'primary'),
      targets: {
        primary: health('up', now - 600_000),
        secondary: health('up', now - 600_000),
        tertiary: health('up', now - 600_000),
      },
    });
    // The tertiary went DOWN: drained to 0, its share to the others in proportion (63/37).
    const drained: ServiceState = {
      ...base('drained'),
      epoch: 1,
      lastFlipAt: now - 120_000,
      targets: { ...base('drained').targets, tertiary: health('down', now - 125_000) },
      shares: { weights: { primary: 63, secondary: 37, tertiary: 0 }, ramp: null },
    };
    // The tertiary is back: 10 % of its share for 15 s of a 60 s hold.
    const ramping: ServiceState = {
      ...base('ramping'),
      epoch: 2,
      lastFlipAt: now - 15_000,
      shares: {
        weights: { primary: 61, secondary: 37, tertiary: 2 },
        ramp: { to: 'tertiary', steps: [10, 50, 100], step: 0, since: now - 15_000, holdSeconds: 60 },
      },
    };
    for (const state of [drained, ramping, base('plain')]) {
      const saved = await store.save(state, null);
      if (!saved.ok) throw new Error(`could not write the state of ${state.service}`);
    }
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('shows the decided weight map under ACTIVE and the ramping share in PHASE', async () => {
    const run = await runCli(['status']);

    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      /^drained\s+active-active\s+primary=63 secondary=37 tertiary=0\s+primary:up secondary:up tertiary:down\s+\S+\s+-\s+no\s+1$/m,
    );
    expect(run.out).toMatch(
      /^ramping\s+ramping tertiary 10%\s+primary=61 secondary=37 tertiary=2\s+primary:up secondary:up tertiary:up\s+\S+\s+-\s+no\s+2$/m,
    );
    // Not seen yet: the configured weights are not claimed as a decision.
    expect(run.out).toMatch(/^unseen\s+not seen yet/m);
    // An active-passive service is shown as before.
    expect(run.out).toMatch(/^plain\s+primary-active\s+primary\s+primary:up secondary:up\s/m);
  });

  it("prints each target's weight beside its configured share, drained ones marked, and the ramp's next step and gate", async () => {
    const run = await runCli(['status']);

    expect(run.code).toBe(0);
    expect(run.out).toContain(
      '  weights   primary 63 of 50, secondary 37 of 30, tertiary 0 of 20 (drained)\n',
    );
    expect(run.out).toContain('  weights   primary 61 of 50, secondary 37 of 30, tertiary 2 of 20\n');
    expect(run.out).toMatch(
      /^ {2}ramp {6}the tertiary returns in steps 10\/50\/100 % of its share \(20\): at 10 % \(step 1 of 3\) since \S+ \(1\d s ago\); next 50 % in 4\d s if the tertiary stays up and alarm ramping-5xx is OK; a failure or the alarm drains it again$/m,
    );
    // 50 x 100 %, 30 x 100 %, 20 x 50 % scaled to the total of 100, largest remainder first.
    expect(run.out).toContain('  next      the next step writes primary=56 secondary=33 tertiary=11\n');
    expect(run.out).toContain('propagating: the weights primary=61 secondary=37 tertiary=2 at ');
    // The drained service has no ramp and its last change is older than the propagation window.
    const drainedBlock = run.out.slice(run.out.indexOf('\ndrained:'), run.out.indexOf('\nramping:'));
    expect(drainedBlock).not.toContain('ramp ');
    expect(drainedBlock).not.toContain('propagating');
  });

  it('prints the weight map and the ramp under a shares key with --json, and no shares for active-passive', async () => {
    const run = await runCli(['status', '--json']);

    expect(run.code).toBe(0);
    const body = JSON.parse(run.out) as { services: Record<string, unknown>[] };
    const byName = new Map(body.services.map((s) => [s.service, s]));
    expect(byName.get('drained')).toMatchObject({
      mode: 'active-active',
      phase: 'active-active',
      shares: {
        weights: { primary: 63, secondary: 37, tertiary: 0 },
        configured: { primary: 50, secondary: 30, tertiary: 20 },
        drained: ['tertiary'],
        minHealthyTargets: 1,
        ramp: null,
      },
    });
    const ramping = byName.get('ramping');
    expect(ramping).toMatchObject({
      mode: 'active-active',
      phase: 'ramping tertiary 10%',
      shares: {
        weights: { primary: 61, secondary: 37, tertiary: 2 },
        drained: [],
        ramp: {
          to: 'tertiary',
          steps: [10, 50, 100],
          step: 0,
          percent: 10,
          holdSeconds: 60,
          nextPercent: 50,
          nextStepAt: new Date(now + 45_000).toISOString(),
          gate: 'ramping-5xx',
          nextWeights: { primary: 56, secondary: 33, tertiary: 11 },
        },
      },
    });
    const shares = (ramping?.shares ?? {}) as { weights?: object };
    expect(Object.keys(shares.weights ?? {})).toEqual([...TARGETS]);
    expect(byName.get('plain')).toMatchObject({ mode: 'active-passive' });
    expect(byName.get('plain')).not.toHaveProperty('shares');
  });

  it("plans with the decided weights and the ramp's next map first, then the function's refusal of a move by hand", async () => {
    const changesBefore = h.stack.route53.changes.length;

    const run = await runCli(['plan', 'ramping', '--failback']);

    expect(run.out).toContain(
      'ramping is active-active (ramping tertiary 10%, epoch 2): the watchdog decides its weight map\n' +
        '  weights  primary 61 of 50, secondary 37 of 30, tertiary 2 of 20\n',
    );
    expect(run.out).toContain('  next     the next step writes primary=56 secondary=33 tertiary=11\n');
    expect(`${run.out}${run.err}`).toContain('a failover or failback by hand is not supported yet');
    expect(run.code).toBe(1);
    expect(h.stack.route53.changes.length).toBe(changesBefore);
  });

  it('plans a service the watchdog has not seen with its configured weights', async () => {
    const run = await runCli(['plan', 'unseen']);

    expect(run.out).toContain(
      'unseen is active-active and not seen by the watchdog yet: its weights are the configured ones, primary 50, secondary 30, tertiary 20\n',
    );
  });
});
