/**
 * The simulated soak of active-passive services beyond the two-target, all-at-once case (issue #13):
 *  - `ramped-failback`: two targets, failback by `failbackSteps: [10, 50, 100]` with a random
 *    `stepHoldSeconds`, records' TTL and `activeWeight`, half the services with a step alarm whose
 *    ALARM spells come from the same seeded world;
 *  - `three-targets`: three targets in preference order, failback all at once.
 * The same seeded world of outages, blips and flapping as the two-target soak, the real `decide`
 * every round, each move applied as the flip function would (`afterFlip` or `afterStep`, fenced by
 * the move on its way and the epoch); an on-call engineer fails back by hand to the most preferred
 * target after a flap freeze or under `failback: manual`, as soon as it answers.
 *
 * What it judges, every round, against the reference hysteresis of each target over the world's
 * truth (never the controller's view of health):
 *  - falseMoves: traffic moved off a target that is not DOWN, unless it is a failback the policy
 *    allows (to the most preferred target, UP, dwell passed, automatic, flap window not full) or a
 *    rollback on the step alarm; a move to a target that is not UP;
 *  - wrongTargets: leaving a DOWN target for anything but the most preferred UP one, or returning
 *    to a target that is not the most preferred UP one;
 *  - missedMoves: a round that ends with weight on a DOWN target while another is UP (flips land in
 *    the round they are decided, so the bound `failureThreshold` rounds + pending + one round is
 *    here the very round the reference turns DOWN); a ramp not rolled back in the round its
 *    returning target is DOWN;
 *  - missedClimbs: a round that ends on a target while a more preferred one is UP and the policy
 *    allows returning (no move decided); a ramp step not taken once its hold passed with the
 *    returning target UP and the alarm OK. The dwell and the flap window are the judge's own
 *    records; only the flap freeze (which lasts until an operator fails back) is read from the state;
 *  - earlySteps: a step taken before its hold (max(stepHoldSeconds, TTL)) passed since the last
 *    one landed, or on an alarm that is not OK;
 *  - skippedSteps: a step that is not the one after the last (the first at 0), a ramp finished
 *    from before its last step while the target being left is not DOWN, a failback all at once
 *    where the policy asks for a ramp;
 *  - badEpochs: a landed move that does not advance the epoch by exactly one, a decision that does;
 *  - badWeights: weights that do not sum to `activeWeight` or are all 0, a finished ramp or a
 *    rollback that does not leave all the weight on its target.
 */
import { afterFlip, afterStep } from '../../../shared/domain/after-flip.ts';
import type { Policy, TargetId } from '../../../shared/domain/config.ts';
import { decide as realDecide } from '../../../shared/domain/decide.ts';
import { isFlipAction } from '../../../shared/domain/events.ts';
import { FLAP_WINDOW_MS } from '../../../shared/domain/flip-timing.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { expectedWeights, type GateState, percentOf, stepHoldSeconds } from '../../../shared/domain/ramp.ts';
import type { Observation, ServiceState } from '../../../shared/domain/state.ts';
import { type Random, seededRandom } from './random.ts';
import { DAY_MS, FAIL, OK, Reference, T0, type Violation } from './simulation.ts';
import { downIntervals, generateWorld, type ServiceWorld, Truth, targetIntervals } from './world.ts';

export type PreferenceMode = 'ramped-failback' | 'three-targets';

const ORDERS: Record<PreferenceMode, readonly TargetId[]> = {
  'ramped-failback': ['primary', 'secondary'],
  'three-targets': ['primary', 'secondary', 'tertiary'],
};
const STEPS: readonly number[] = [10, 50, 100];
const HOUR = 3_600_000;

export interface PreferenceSoakOptions {
  readonly mode: PreferenceMode;
  readonly seed: number;
  readonly services: number;
  readonly days: number;
  /** The engine under test: the real `decide` unless a test swaps in a broken one. */
  readonly decide?: typeof realDecide;
}

export const VIOLATION_KINDS = [
  'falseMoves',
  'wrongTargets',
  'missedMoves',
  'missedClimbs',
  'earlySteps',
  'skippedSteps',
  'badEpochs',
  'badWeights',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

export interface PreferenceSoakReport {
  readonly mode: PreferenceMode;
  readonly seed: number;
  readonly days: number;
  readonly services: number;
  rounds: number;
  readonly moves: {
    failovers: number;
    /** Failbacks by the watchdog: all at once, or the first step of a ramp. */
    failbacks: number;
    emergencyFailbacks: number;
    operatorFailbacks: number;
    /** Failbacks to a target that is not the most preferred one: a climb of more than one rung. */
    partialClimbs: number;
    /** Failovers onto the last target (three or more targets): both before it were down. */
    failoversToLast: number;
    steps: number;
    rampsCompleted: number;
    /** Ramps finished at once because the target being left went DOWN. */
    rampsFinishedEarly: number;
    rollbacksOnDown: number;
    rollbacksOnAlarm: number;
  };
  readonly notices: Record<string, number>;
  readonly violations: Record<ViolationKind, Violation[]>;
}

/**
 * Run the soak of one mode.
 *
 * @example
 * const report = runPreferenceSoak({ mode: 'ramped-failback', seed: 20260105, services: 20, days: 1 });
 * report.violations.falseMoves.length; // 0
 */
export function runPreferenceSoak(options: PreferenceSoakOptions): PreferenceSoakReport {
  const durationMs = options.days * DAY_MS;
  const random = seededRandom(options.seed);
  const world = generateWorld(random, options.services, durationMs);
  const report: PreferenceSoakReport = {
    mode: options.mode,
    seed: options.seed,
    days: options.days,
    services: options.services,
    rounds: 0,
    moves: {
      failovers: 0,
      failbacks: 0,
      emergencyFailbacks: 0,
      operatorFailbacks: 0,
      partialClimbs: 0,
      failoversToLast: 0,
      steps: 0,
      rampsCompleted: 0,
      rampsFinishedEarly: 0,
      rollbacksOnDown: 0,
      rollbacksOnAlarm: 0,
    },
    notices: {},
    violations: {
      falseMoves: [],
      wrongTargets: [],
      missedMoves: [],
      missedClimbs: [],
      earlySteps: [],
      skippedSteps: [],
      badEpochs: [],
      badWeights: [],
    },
  };
  world.forEach((service, index) => {
    simulateService(service, seededRandom(options.seed * 1_000 + index + 1), durationMs, options, report);
  });
  return report;
}

/** The service's setup for this mode, drawn from its own generator. */
function setup(service: ServiceWorld, random: Random, mode: PreferenceMode, durationMs: number) {
  const order = ORDERS[mode];
  const ramped = mode === 'ramped-failback';
  // Mostly automatic failback: manual services never ramp nor climb by themselves.
  const failback = random.next() < 0.8 ? 'auto' : 'manual';
  const policy: Policy = ramped
    ? {
        ...service.policy,
        failback,
        failbackSteps: STEPS,
        stepHoldSeconds: random.pick([0, 30, 60, 120, 300]),
        stepAlarm: random.next() < 0.5 ? 'primary-errors' : null,
      }
    : { ...service.policy, failback };
  const activeWeight = random.pick([2, 10, 100, 255]);
  const ttlSeconds = random.pick([10, 60, 300]);
  // Three targets: the standbys fail every 3 hours or so, so that traffic often reaches the third
  // and climbs back one rung at a time.
  const intervals = ramped
    ? targetIntervals(random, service, order, durationMs, { meanGapMs: 8 * HOUR })
    : targetIntervals(random, service, order, durationMs, { meanGapMs: 3 * HOUR, kept: 1 });
  // The step alarm's ALARM spells: outage-like stretches every 2 hours or so, independent of the targets.
  const alarm = new Truth(
    policy.stepAlarm ? downIntervals(random, durationMs, policy, { meanGapMs: 2 * HOUR }) : [],
  );
  return { order, policy, activeWeight, ttlSeconds, intervals, alarm };
}

function simulateService(
  service: ServiceWorld,
  random: Random,
  durationMs: number,
  options: PreferenceSoakOptions,
  report: PreferenceSoakReport,
): void {
  const decide = options.decide ?? realDecide;
  const { order, policy, activeWeight, ttlSeconds, intervals, alarm } = setup(
    service,
    random,
    options.mode,
    durationMs,
  );
  const first = order[0] ?? 'primary';
  const hold = stepHoldSeconds(policy, ttlSeconds);
  const intervalMs = policy.probeIntervalSeconds * 1000;
  const truths = new Map(order.map((id) => [id, new Truth(intervals.get(id) ?? [])]));
  const refs = new Map(order.map((id) => [id, new Reference(policy)]));
  const ref = (id: TargetId) => refs.get(id)?.status ?? 'unknown';
  const mostPreferredUp = (except?: TargetId) => order.find((id) => id !== except && ref(id) === 'up');
  const flag = (kind: ViolationKind, at: number, what: string) =>
    report.violations[kind].push({ service: service.name, at, what });
  const weightsOf = (s: ServiceState) => expectedWeights(s, order, activeWeight);

  let state: ServiceState = initialState(service.name, first);
  /** The judge's own records: when traffic last moved, the flap window, when the current step landed. */
  let lastMoveAt: number | null = null;
  let window: number[] = [];
  let stepLandedAt = 0;
  /** The index in STEPS of the step the ramp under way has reached, as the judge counts them. */
  let rampStep = 0;
  let operatorDue: number | null = null;

  for (let round = 0; round * intervalMs < durationMs; round++) {
    const probedAt = round * intervalMs;
    const downs = new Map(order.map((id) => [id, truths.get(id)?.downAt(probedAt)]));
    const anyDown = [...downs.values()].some((down) => down !== undefined);

    // The on-call engineer fails back by hand to the most preferred target once it answers.
    if (operatorDue !== null && T0 + probedAt >= operatorDue) {
      if (state.active === first || state.ramp !== null || state.moving !== null) operatorDue = null;
      else if (downs.get(first) === undefined) {
        state = afterFlip(state, first, T0 + probedAt, 'operator', first);
        refs.get(first)?.restart();
        lastMoveAt = T0 + probedAt;
        report.moves.operatorFailbacks++;
        operatorDue = null;
      } else operatorDue += 15 * 60_000;
    }

    for (const id of order) refs.get(id)?.observe(downs.get(id), round);
    const now =
      T0 + probedAt + random.between(0, anyDown ? service.timeoutMs : Math.min(50, service.timeoutMs));
    const gate: GateState | undefined =
      policy.stepAlarm && state.ramp !== null
        ? alarm.downAt(probedAt) !== undefined
          ? 'ALARM'
          : random.next() < 0.05
            ? 'INSUFFICIENT_DATA'
            : 'OK'
        : undefined;
    const targets: Record<TargetId, Observation['targets'][TargetId]> = {};
    for (const id of order) {
      const ok = downs.get(id) === undefined;
      targets[id] = { ok, checks: ok ? OK : FAIL };
    }

    const before = state;
    const { next, actions } = decide(
      before,
      { at: now, targets, ...(gate ? { gate } : {}) },
      policy,
      order,
      now,
    );
    report.rounds++;
    if (next.epoch !== before.epoch)
      flag('badEpochs', now, `a decision moved the epoch ${before.epoch} -> ${next.epoch}`);
    state = next;
    for (const action of actions) {
      if (isFlipAction(action)) continue;
      report.notices[action.event] = (report.notices[action.event] ?? 0) + 1;
      if (action.event === 'flapping-frozen' && operatorDue === null) {
        operatorDue = now + random.between(5, 60) * 60_000;
      }
    }
    window = window.filter((t) => t > now - FLAP_WINDOW_MS);
    const returnAllowed =
      policy.failback === 'auto' &&
      !before.frozen &&
      window.length < policy.maxAutoFailbacksPerHour &&
      (lastMoveAt === null || now - lastMoveAt >= policy.minDwellSeconds * 1000);
    const stepDue = now >= stepLandedAt + hold * 1000 && (gate === undefined || gate === 'OK');

    const flip = actions.find(isFlipAction);
    if (flip !== undefined) {
      const ramp = before.ramp;
      const to = flip.to;
      if (ramp === null) {
        const leaving = before.active;
        if (ref(leaving) === 'down') {
          // Leaving a DOWN target: for the most preferred UP one, all at once, whatever the policy.
          if (to !== mostPreferredUp(leaving))
            flag(
              'wrongTargets',
              now,
              `left a DOWN ${leaving} for ${to} (${ref(to)}), not ${mostPreferredUp(leaving)}`,
            );
          if (flip.step !== undefined) flag('skippedSteps', now, `a ramp step out of a DOWN ${leaving}`);
          if (order.indexOf(to) < order.indexOf(leaving)) report.moves.emergencyFailbacks++;
          else report.moves.failovers++;
          if (order.length > 2 && to === order.at(-1)) report.moves.failoversToLast++;
        } else {
          // Leaving a target that is not DOWN: only a failback the policy allows, to the most preferred UP one.
          if (order.indexOf(to) > order.indexOf(leaving))
            flag('falseMoves', now, `failover off ${leaving} while it is ${ref(leaving)}`);
          else if (ref(to) !== 'up') flag('falseMoves', now, `failback to ${to} while it is ${ref(to)}`);
          else if (!returnAllowed) flag('falseMoves', now, `failback to ${to} the policy does not allow now`);
          if (ref(to) === 'up' && to !== mostPreferredUp())
            flag('wrongTargets', now, `returned to ${to}, not the most preferred UP ${mostPreferredUp()}`);
          const wantsRamp = (policy.failbackSteps?.length ?? 1) > 1;
          if (wantsRamp && percentOf(flip.step) !== STEPS[0])
            flag(
              'skippedSteps',
              now,
              `failback to ${to} at ${percentOf(flip.step)} %, not the ramp's first step`,
            );
          if (!wantsRamp && flip.step !== undefined)
            flag('skippedSteps', now, 'a ramp step without failbackSteps');
          report.moves.failbacks++;
          if (to !== first) report.moves.partialClimbs++;
          window.push(now);
        }
      } else if (to === ramp.from) {
        // A rollback: the returning target is DOWN, or the alarm says so, and the one being left is UP.
        if (ref(ramp.from) !== 'up')
          flag('falseMoves', now, `rollback to ${ramp.from} while it is ${ref(ramp.from)}`);
        if (ref(ramp.to) === 'down') report.moves.rollbacksOnDown++;
        else if (gate === 'ALARM') report.moves.rollbacksOnAlarm++;
        else
          flag(
            'falseMoves',
            now,
            `rollback off ${ramp.to} while it is ${ref(ramp.to)} and the alarm ${gate ?? 'absent'}`,
          );
      } else if (to === ramp.to) {
        if (ref(to) !== 'up') flag('falseMoves', now, `step to ${to} while it is ${ref(to)}`);
        const fromDown = ref(ramp.from) === 'down';
        if (flip.step !== undefined) {
          if (!stepDue)
            flag(
              'earlySteps',
              now,
              `step ${flip.step.step} ${((now - stepLandedAt) / 1000).toFixed(1)} s after the last (hold ${hold} s), alarm ${gate ?? 'absent'}`,
            );
          if (percentOf(flip.step) !== STEPS[rampStep + 1])
            flag(
              'skippedSteps',
              now,
              `${STEPS[rampStep]} % -> ${percentOf(flip.step)} %, not ${STEPS[rampStep + 1]} %`,
            );
          report.moves.steps++;
        } else if (fromDown) {
          report.moves.rampsFinishedEarly++;
        } else {
          if (!stepDue)
            flag(
              'earlySteps',
              now,
              `ramp finished ${((now - stepLandedAt) / 1000).toFixed(1)} s after its last step (hold ${hold} s), alarm ${gate ?? 'absent'}`,
            );
          if (rampStep !== STEPS.length - 2)
            flag(
              'skippedSteps',
              now,
              `ramp finished from its ${STEPS[rampStep]} % step, not ${STEPS.at(-2)} %`,
            );
          report.moves.rampsCompleted++;
        }
      } else if (ref(ramp.from) !== 'down' || to !== mostPreferredUp(ramp.from)) {
        flag('wrongTargets', now, `mid-ramp move to ${to}`);
      }

      // The flip function: fenced by the move on its way and the epoch, then traffic moves.
      if (state.moving?.to === to && state.epoch === flip.epoch) {
        const landed =
          flip.step === undefined
            ? afterFlip(state, to, now, 'automatic', first)
            : afterStep(state, to, flip.step, now, hold, 'watchdog', 'automatic');
        if (landed.epoch !== before.epoch + 1)
          flag('badEpochs', now, `a move landed on epoch ${landed.epoch} after ${before.epoch}`);
        if (flip.step !== undefined) {
          stepLandedAt = now;
          rampStep = ramp === null ? 0 : rampStep + 1;
        }
        if (flip.step === undefined && weightsOf(landed)[to] !== activeWeight)
          flag('badWeights', now, `a move of all the traffic left ${to} with ${weightsOf(landed)[to]}`);
        state = landed;
        lastMoveAt = now;
        if (
          flip.type === 'failover' &&
          policy.failback === 'manual' &&
          operatorDue === null &&
          ramp === null
        ) {
          operatorDue = now + random.between(5, 60) * 60_000;
        }
      }
    }

    // Every round's end: the weights, traffic off DOWN targets, the ramp and the climb going on.
    const weights = weightsOf(state);
    const sum = order.reduce((total, id) => total + (weights[id] ?? 0), 0);
    if (sum !== activeWeight || order.every((id) => (weights[id] ?? 0) === 0))
      flag('badWeights', now, `weights ${JSON.stringify(weights)} for activeWeight ${activeWeight}`);
    const free = !state.paused && state.hold === null;
    const upExists = mostPreferredUp() !== undefined;
    const onDown = order.filter((id) => (weights[id] ?? 0) > 0 && ref(id) === 'down');
    if (free && upExists && onDown.length > 0)
      flag('missedMoves', now, `weight on DOWN ${onDown.join(', ')} while ${mostPreferredUp()} is UP`);
    if (free && before.ramp !== null && ref(before.ramp.to) === 'down' && upExists && state.ramp !== null)
      flag('missedMoves', now, `ramp to ${before.ramp.to} not rolled back in the round it is DOWN`);
    if (
      free &&
      before.ramp !== null &&
      gate === 'ALARM' &&
      ref(before.ramp.from) === 'up' &&
      state.ramp !== null
    )
      flag('missedMoves', now, `ramp to ${before.ramp.to} not rolled back on the step alarm`);
    if (free && flip === undefined) {
      const better = order.slice(0, order.indexOf(state.active)).find((id) => ref(id) === 'up');
      if (state.ramp === null && better !== undefined && ref(state.active) !== 'down' && returnAllowed)
        flag('missedClimbs', now, `stayed on ${state.active} with ${better} UP and the return allowed`);
      const ramp = state.ramp;
      if (ramp !== null && stepDue && ref(ramp.to) === 'up' && ref(ramp.from) !== 'down')
        flag('missedClimbs', now, `step ${ramp.step} of the ramp to ${ramp.to} held past its hold`);
    }
  }
}
