/**
 * The simulated soak: days of probe rounds for many services on an injected clock, driving the
 * real pure `decide` once per `probeIntervalSeconds` and applying each flip as the flip function
 * would (`afterFlip`, fenced by the move on its way and the epoch), against a ground truth of when each target is
 * really down. An on-call engineer fails back by hand after a failover (`failback: manual`) or a
 * flap freeze, as soon as the primary answers again.
 *
 * What it judges, against a reference hysteresis computed from the ground truth alone (DOWN after
 * `failureThreshold` consecutive failed rounds, UP again after `recoveryThreshold` good ones, an
 * unknown target UP after one good round; an operator's verified failback starts the primary's
 * afresh, as unknown), never against the controller's own state:
 *  - a false failover: a failover decided while the primary was not DOWN by that reference;
 *  - a false failback: an automatic failback to a primary that was not UP by the reference, or,
 *    unless the standby was DOWN (an emergency failback), one the policy forbids (manual, dwell);
 *  - a missed failover: a round that ends with traffic on a DOWN primary while the standby is UP;
 *    a missed emergency failback: traffic on a DOWN standby while the primary is UP;
 *  - the detection delay of each failover: from the instant the primary really went down (the
 *    start of the failing run that made it DOWN) to the decision, against the bound
 *    `failureThreshold x probeIntervalSeconds + timeout`. A failover that had to wait for the
 *    standby to become healthy is reported apart: the bound does not apply to it.
 */
import { afterFlip } from '../../../shared/domain/after-flip.ts';
import type { Policy, TargetId } from '../../../shared/domain/config.ts';
import { decide as realDecide } from '../../../shared/domain/decide.ts';
import { isFlipAction } from '../../../shared/domain/events.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { needsWrite } from '../../../shared/domain/persist.ts';
import type { CheckResult, Observation, ServiceState, TargetStatus } from '../../../shared/domain/state.ts';
import { seededRandom } from './random.ts';
import { type DownInterval, generateWorld, type IncidentKind, type ServiceWorld, Truth } from './world.ts';

export const T0 = Date.UTC(2026, 0, 5);
export const DAY_MS = 24 * 60 * 60 * 1000;
/** Every simulated service has two targets: the primary, then the standby. */
const ORDER: readonly TargetId[] = ['primary', 'secondary'];

export interface SoakOptions {
  readonly seed: number;
  readonly services: number;
  readonly days: number;
  /** The engine under test: the real `decide` unless a test swaps in a broken one. */
  readonly decide?: typeof realDecide;
}

export interface Violation {
  readonly service: string;
  readonly at: number;
  readonly what: string;
}

export interface Detection {
  readonly service: string;
  readonly delayMs: number;
  readonly boundMs: number;
  /** The standby was not healthy when the primary became DOWN: the failover waited for it. */
  readonly waitedForStandby: boolean;
  readonly kind: IncidentKind;
}

export interface SoakReport {
  readonly seed: number;
  readonly days: number;
  readonly services: readonly ServiceWorld[];
  readonly rounds: number;
  readonly writes: number;
  readonly flips: {
    failovers: number;
    autoFailbacks: number;
    emergencyFailbacks: number;
    operatorFailbacks: number;
  };
  readonly notices: Record<string, number>;
  /** Primary incidents seen by at least one probe, and how many of them led to a failover. */
  readonly incidents: Record<IncidentKind, { seen: number; failedOver: number }>;
  readonly falseFailovers: readonly Violation[];
  readonly falseFailbacks: readonly Violation[];
  /** Rounds that ended with traffic on a DOWN primary and a healthy standby. */
  readonly missedFailoverRounds: readonly Violation[];
  /** Rounds that ended with traffic on a DOWN standby and a healthy primary. */
  readonly missedFailbackRounds: readonly Violation[];
  readonly detections: readonly Detection[];
  /** Failovers decided while the primary's latest probe passed (it was DOWN and not yet back UP). */
  readonly failoversWhilePrimaryAnswered: number;
}

/** The hysteresis as the design states it, with plain unbounded counters. */
export class Reference {
  status: TargetStatus = 'unknown';
  oks = 0;
  fails = 0;
  /** Start (ms from T0) of the current failing run, when it is one. */
  runStart: number | null = null;
  runInterval: DownInterval | null = null;
  /** When the status last became DOWN: the run that did it, and the round. */
  downRun: { start: number; interval: DownInterval | null; round: number } | null = null;
  readonly policy: Policy;

  constructor(policy: Policy) {
    this.policy = policy;
  }

  /** An operator verified the target and moved traffic to it: what came before no longer counts. */
  restart(): void {
    this.status = 'unknown';
    this.oks = 0;
    this.fails = 0;
    this.runStart = null;
    this.runInterval = null;
    this.downRun = null;
  }

  observe(down: DownInterval | undefined, round: number): void {
    if (down === undefined) {
      this.oks += 1;
      this.fails = 0;
      this.runStart = null;
      this.runInterval = null;
    } else {
      if (this.fails === 0) {
        this.runStart = down.start;
        this.runInterval = down;
      }
      this.fails += 1;
      this.oks = 0;
    }
    const before = this.status;
    if (this.fails >= this.policy.failureThreshold) this.status = 'down';
    else if (this.oks > 0 && (this.status !== 'down' || this.oks >= this.policy.recoveryThreshold)) {
      this.status = 'up';
    }
    if (this.status === 'down' && before !== 'down') {
      this.downRun = { start: this.runStart ?? 0, interval: this.runInterval, round };
    }
  }
}

export const OK: readonly CheckResult[] = [
  { check: 'http GET https://x/health', ok: true, latencyMs: 5, reason: 'status 200' },
];
export const FAIL: readonly CheckResult[] = [
  { check: 'http GET https://x/health', ok: false, latencyMs: 500, reason: 'status 503 not in [200]' },
];

export function runSoak(options: SoakOptions): SoakReport {
  const durationMs = options.days * DAY_MS;
  const world = generateWorld(seededRandom(options.seed), options.services, durationMs);
  const report: Mutable<SoakReport> = {
    seed: options.seed,
    days: options.days,
    services: world,
    rounds: 0,
    writes: 0,
    flips: { failovers: 0, autoFailbacks: 0, emergencyFailbacks: 0, operatorFailbacks: 0 },
    notices: {},
    incidents: {
      blip: { seen: 0, failedOver: 0 },
      outage: { seen: 0, failedOver: 0 },
      flapping: { seen: 0, failedOver: 0 },
    },
    falseFailovers: [],
    falseFailbacks: [],
    missedFailoverRounds: [],
    missedFailbackRounds: [],
    detections: [],
    failoversWhilePrimaryAnswered: 0,
  };
  world.forEach((service, index) => {
    simulateService(service, seededRandom(options.seed * 1_000 + index + 1), durationMs, options, report);
  });
  return report;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

function simulateService(
  service: ServiceWorld,
  random: ReturnType<typeof seededRandom>,
  durationMs: number,
  options: SoakOptions,
  report: Mutable<SoakReport>,
): void {
  const decide = options.decide ?? realDecide;
  const { policy, timeoutMs } = service;
  const intervalMs = policy.probeIntervalSeconds * 1000;
  const primaryTruth = new Truth(service.primary);
  const secondaryTruth = new Truth(service.secondary);
  const primaryRef = new Reference(policy);
  const secondaryRef = new Reference(policy);
  /** Primary incidents seen by a probe (by number, with their kind), and those that led to a failover. */
  const seen = new Map<number, IncidentKind>();
  const failedOver = new Set<number>();
  const violation = (at: number, what: string): Violation => ({ service: service.name, at, what });
  let state: ServiceState = initialState(service.name, 'primary');
  let operatorDue: number | null = null;

  for (let round = 0; round * intervalMs < durationMs; round++) {
    const probedAt = round * intervalMs;
    const primaryDown = primaryTruth.downAt(probedAt);
    const secondaryDown = secondaryTruth.downAt(probedAt);
    if (primaryDown !== undefined) seen.set(primaryDown.incident, primaryDown.kind);

    // The on-call engineer, paged by a failover (failback: manual) or a flap freeze, fails back
    // by hand a while later, as soon as the primary answers: the failback function's fresh probe
    // passes even if the watchdog has not yet seen `recoveryThreshold` good rounds. From then on
    // the primary must fail anew before anything may fail over again.
    if (operatorDue !== null && T0 + probedAt >= operatorDue) {
      if (state.active !== 'secondary' || state.moving !== null) operatorDue = null;
      else if (primaryDown === undefined) {
        state = afterFlip(state, 'primary', T0 + probedAt, 'operator', 'primary');
        primaryRef.restart();
        report.flips.operatorFailbacks++;
        operatorDue = null;
      } else operatorDue += 15 * 60_000;
    }

    primaryRef.observe(primaryDown, round);
    secondaryRef.observe(secondaryDown, round);
    // The round's decision waits for its slowest probe: a down target answers within the timeout.
    const probeMs =
      primaryDown !== undefined || secondaryDown !== undefined
        ? random.between(0, timeoutMs)
        : random.between(0, Math.min(50, timeoutMs));
    const now = T0 + probedAt + probeMs;

    const observation: Observation = {
      at: now,
      targets: {
        primary: { ok: primaryDown === undefined, checks: primaryDown === undefined ? OK : FAIL },
        secondary: { ok: secondaryDown === undefined, checks: secondaryDown === undefined ? OK : FAIL },
      },
    };
    const { next, actions } = decide(state, observation, policy, ORDER, now);
    report.rounds++;
    if (needsWrite(state, next)) report.writes++;
    state = next;

    for (const action of actions) {
      if (isFlipAction(action)) continue;
      report.notices[action.event] = (report.notices[action.event] ?? 0) + 1;
      if (action.event === 'flapping-frozen' && operatorDue === null) {
        operatorDue = now + random.between(5, 60) * 60_000;
      }
    }

    const flip = actions.find(isFlipAction);
    if (flip !== undefined) {
      if (flip.type === 'failover') {
        judgeFailover(service, round, now, primaryDown, primaryRef, secondaryRef, report, violation);
        const run = primaryRef.downRun?.interval;
        if (run) failedOver.add(run.incident);
      } else {
        judgeFailback(state, policy, now, primaryRef, secondaryRef, report, violation);
      }
      // The flip function: fenced by the move on its way and the epoch, then traffic moves.
      if (state.moving?.to === flip.to && state.epoch === flip.epoch) {
        state = afterFlip(state, flip.to, now, 'automatic', 'primary');
        if (flip.type === 'failover' && policy.failback === 'manual' && operatorDue === null) {
          operatorDue = now + random.between(5, 60) * 60_000;
        }
      }
    }

    const onPrimary = state.active === 'primary';
    const free = !state.paused && state.hold === null;
    if (onPrimary && free && primaryRef.status === 'down' && secondaryRef.status === 'up') {
      report.missedFailoverRounds.push(violation(now, 'traffic on a DOWN primary with the standby UP'));
    }
    if (!onPrimary && free && secondaryRef.status === 'down' && primaryRef.status === 'up') {
      report.missedFailbackRounds.push(violation(now, 'traffic on a DOWN standby with the primary UP'));
    }
  }

  for (const [incident, kind] of seen) {
    report.incidents[kind].seen++;
    if (failedOver.has(incident)) report.incidents[kind].failedOver++;
  }
}

function judgeFailover(
  service: ServiceWorld,
  round: number,
  now: number,
  primaryDown: DownInterval | undefined,
  primaryRef: Reference,
  secondaryRef: Reference,
  report: Mutable<SoakReport>,
  violation: (at: number, what: string) => Violation,
): void {
  report.flips.failovers++;
  if (primaryRef.status !== 'down') {
    report.falseFailovers.push(violation(now, `failover while the primary is ${primaryRef.status}`));
    return;
  }
  if (secondaryRef.status !== 'up') {
    report.falseFailovers.push(violation(now, `failover to a standby that is ${secondaryRef.status}`));
  }
  if (primaryDown === undefined) report.failoversWhilePrimaryAnswered++;
  const run = primaryRef.downRun;
  if (run === null) return;
  const { policy, timeoutMs } = service;
  report.detections.push({
    service: service.name,
    delayMs: now - (T0 + run.start),
    boundMs: policy.failureThreshold * policy.probeIntervalSeconds * 1000 + timeoutMs,
    waitedForStandby: run.round !== round,
    kind: run.interval?.kind ?? 'outage',
  });
}

function judgeFailback(
  decided: ServiceState,
  policy: Policy,
  now: number,
  primaryRef: Reference,
  secondaryRef: Reference,
  report: Mutable<SoakReport>,
  violation: (at: number, what: string) => Violation,
): void {
  const emergency = secondaryRef.status === 'down';
  if (emergency) report.flips.emergencyFailbacks++;
  else report.flips.autoFailbacks++;
  if (primaryRef.status !== 'up') {
    report.falseFailbacks.push(violation(now, `failback to a primary that is ${primaryRef.status}`));
  } else if (!emergency && policy.failback === 'manual') {
    report.falseFailbacks.push(violation(now, 'automatic failback under failback: manual'));
  } else if (
    !emergency &&
    decided.lastFlipAt !== null &&
    now - decided.lastFlipAt < policy.minDwellSeconds * 1000
  ) {
    report.falseFailbacks.push(violation(now, 'automatic failback within minDwellSeconds'));
  }
}
