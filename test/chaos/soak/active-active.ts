/**
 * The simulated soak for `mode: active-active` (issue #13 item 3): the same seeded world of outages,
 * blips and flapping as the active-passive soak, over three targets with random weights and
 * `minHealthyTargets`, the real `decide` every round, each decided weight map applied as the flip
 * function would (`afterShares`, fenced by the move on its way and the epoch).
 *
 * What it judges, against the reference hysteresis of each target (never the controller's state):
 *  - a false drain: a map that takes the weight off a target that is not DOWN by the reference;
 *  - a false return: a map that gives weight to a drained target that is not UP by the reference;
 *  - a missed drain: a round that ends with weight on a DOWN target while the drain was allowed
 *    (at least `minHealthyTargets` UP targets would carry the traffic);
 *  - the configured total: the weights with traffic always sum to it, never all 0.
 */
import { sharesOf } from '../../../shared/domain/active-active.ts';
import { afterShares } from '../../../shared/domain/after-flip.ts';
import type { Policy, TargetId } from '../../../shared/domain/config.ts';
import { decide as realDecide } from '../../../shared/domain/decide.ts';
import { isFlipAction } from '../../../shared/domain/events.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import type { Observation, ServiceState } from '../../../shared/domain/state.ts';
import { seededRandom } from './random.ts';
import { DAY_MS, FAIL, OK, Reference, T0, type Violation } from './simulation.ts';
import { generateWorld, Truth, targetIntervals } from './world.ts';

const ORDER: readonly TargetId[] = ['primary', 'secondary', 'tertiary'];
const HOUR = 3_600_000;

export interface ActiveActiveSoakOptions {
  readonly seed: number;
  readonly services: number;
  readonly days: number;
  /** The engine under test: the real `decide` unless a test swaps in a broken one. */
  readonly decide?: typeof realDecide;
}

export interface ActiveActiveSoakReport {
  rounds: number;
  drains: number;
  returns: number;
  readonly notices: Record<string, number>;
  readonly falseDrains: Violation[];
  readonly falseReturns: Violation[];
  readonly missedDrainRounds: Violation[];
  readonly badTotals: Violation[];
}

/**
 * Run the active-active soak.
 *
 * @example
 * const report = runActiveActiveSoak({ seed: 20260105, services: 20, days: 1 });
 * report.falseDrains.length; // 0
 */
export function runActiveActiveSoak(options: ActiveActiveSoakOptions): ActiveActiveSoakReport {
  const durationMs = options.days * DAY_MS;
  const random = seededRandom(options.seed);
  const world = generateWorld(random, options.services, durationMs);
  const report: ActiveActiveSoakReport = {
    rounds: 0,
    drains: 0,
    returns: 0,
    notices: {},
    falseDrains: [],
    falseReturns: [],
    missedDrainRounds: [],
    badTotals: [],
  };
  const decide = options.decide ?? realDecide;
  for (const service of world) {
    const weights = Object.fromEntries(ORDER.map((id) => [id, random.integer(10, 85)]));
    const total = Object.values(weights).reduce((sum, w) => sum + w, 0);
    const policy: Policy = {
      ...service.policy,
      failback: 'auto',
      failbackSteps: [10, 50, 100],
      stepHoldSeconds: 60,
      activeActive: { weights, minHealthyTargets: random.integer(1, 2) },
    };
    const settings = { weights, minHealthyTargets: policy.activeActive?.minHealthyTargets ?? 1 };
    const intervals = targetIntervals(random, service, ORDER, durationMs, { meanGapMs: 6 * HOUR });
    const truths = new Map(ORDER.map((id) => [id, new Truth(intervals.get(id) ?? [])]));
    const refs = new Map(ORDER.map((id) => [id, new Reference(policy)]));
    const ref = (id: TargetId) => refs.get(id)?.status ?? 'unknown';
    const violation = (at: number, what: string): Violation => ({ service: service.name, at, what });
    let state: ServiceState = initialState(service.name, 'primary');
    const intervalMs = policy.probeIntervalSeconds * 1000;

    for (let round = 0; round * intervalMs < durationMs; round++) {
      const now = T0 + round * intervalMs;
      const targets: Record<TargetId, Observation['targets'][TargetId]> = {};
      for (const id of ORDER) {
        const down = truths.get(id)?.downAt(round * intervalMs);
        refs.get(id)?.observe(down, round);
        targets[id] = { ok: down === undefined, checks: down === undefined ? OK : FAIL };
      }
      const before = sharesOf(state, settings, ORDER).weights;
      const { next, actions } = decide(state, { at: now, targets }, policy, ORDER, now);
      report.rounds += 1;
      state = next;
      for (const action of actions) {
        if (!isFlipAction(action)) report.notices[action.event] = (report.notices[action.event] ?? 0) + 1;
      }
      const flip = actions.find(isFlipAction);
      if (flip?.weights !== undefined) {
        for (const id of ORDER) {
          const was = before[id] ?? 0;
          const will = flip.weights[id] ?? 0;
          if (was > 0 && will === 0) {
            report.drains += 1;
            if (ref(id) !== 'down') report.falseDrains.push(violation(now, `${id} drained while ${ref(id)}`));
          }
          if (was === 0 && will > 0) {
            report.returns += 1;
            if (ref(id) !== 'up')
              report.falseReturns.push(violation(now, `${id} given weight while ${ref(id)}`));
          }
        }
        if (state.moving?.to === flip.to && state.epoch === flip.epoch) {
          state = afterShares(state, flip.to, flip.weights, flip.step, now, policy.stepHoldSeconds ?? 60);
        }
      }
      const after = sharesOf(state, settings, ORDER).weights;
      const sum = ORDER.reduce((s, id) => s + (after[id] ?? 0), 0);
      if (sum !== total) report.badTotals.push(violation(now, `weights sum to ${sum}, not ${total}`));
      const weighted = ORDER.filter((id) => (after[id] ?? 0) > 0);
      const onDown = weighted.filter((id) => ref(id) === 'down');
      let keep = weighted.filter((id) => ref(id) !== 'down');
      if (keep.length === 0) keep = ORDER.filter((id) => ref(id) === 'up');
      const upKept = keep.filter((id) => ref(id) === 'up').length;
      if (onDown.length > 0 && upKept >= settings.minHealthyTargets) {
        report.missedDrainRounds.push(violation(now, `weight on DOWN ${onDown.join(', ')}`));
      }
    }
  }
  return report;
}
