/**
 * The watchdog use case: one scheduled run of sub-minute probe rounds for every service.
 *
 * Primary course:
 *  1. Drop a scheduled event delivered too late (a redelivery must not act on an old schedule)
 *  2. Take over from the previous scheduled run (`watchdog-handover.ts`): runs overlap (the Lambda
 *     timeout is longer than the schedule's period) and the newer one ends the older one's rounds,
 *     so probing goes on across the turn of the minute; a duplicate or older event probes nothing.
 *     Wait until the previous run's last rounds are an interval old
 *  3. Load every service's state in one batch
 *  4. Reconcile once per run with what Route 53 shows (`watchdog-reconcile.ts`)
 *  5. Every `probeIntervalSeconds`, while the next round fits in the remaining time and no newer run
 *     has taken over: reserve the round in the run marker, probe, decide, write only what changed
 *     (conditionally), then carry out the actions — invoke the flip functions asynchronously with a
 *     correlation id, notify people; publish the data-plane signal of `dataPlane` services (issue #12)
 *  6. Wait for the notifications, emit the heartbeat and round metrics (`watchdog-metrics.ts`)
 */
import { randomUUID } from 'node:crypto';
import { type ServiceConfig, targetOrder, type VantagesConfig } from '../domain/config.ts';
import { type Decision, decide, decideByQuorum } from '../domain/decide.ts';
import {
  type Action,
  type Evidence,
  type FlipAction,
  isFlipAction,
  type NoticeAction,
} from '../domain/events.ts';
import { initialState } from '../domain/initial-state.ts';
import { needsWrite } from '../domain/persist.ts';
import type {
  Clock,
  FlipInvocation,
  HandoverStore,
  Invoker,
  Notifier,
  Prober,
  StateStore,
  TrafficSignal,
  TrafficSwitch,
  VoteStore,
} from '../domain/ports.ts';
import type { Tally } from '../domain/quorum.ts';
import type { Observation, ServiceState } from '../domain/state.ts';
import type { Logger } from '../telemetry/log.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { StateContentionError, stateKeyOf, writeConditionally } from './conditional-write.ts';
import { MAX_BATCH_MOVES } from './flip-batch.ts';
import { beginHandover } from './watchdog-handover.ts';
import { Ledger, type Tracked, type WatchdogReport } from './watchdog-ledger.ts';
import { RunMetrics } from './watchdog-metrics.ts';
import { reconcileAll } from './watchdog-reconcile.ts';
import { publishRoundSignals } from './watchdog-signal.ts';
import { type RoundVotes, VantageVoter } from './watchdog-votes.ts';

export type { WatchdogReport } from './watchdog-ledger.ts';

/** A scheduled event older than this is a late redelivery: dropped. */
export const MAX_EVENT_AGE_MS = 90_000;
/**
 * Kept free at the end of a run for a round's writes when DynamoDB throttles (the SDK's backoff can
 * take 3-4 s), the final notifications and metrics: a run must never reach the Lambda timeout.
 */
export const SAFETY_MARGIN_MS = 5_000;
/** A round's write is tried this many times against concurrent writers, deciding again each time. */
const ROUND_WRITE_ATTEMPTS = 2;

export interface WatchdogDeps {
  readonly services: readonly ServiceConfig[];
  readonly store: StateStore;
  readonly traffic: TrafficSwitch;
  /** Publishes the data-plane signal of `dataPlane` services every round (issue #12). */
  readonly trafficSignal?: TrafficSignal;
  readonly prober: Prober;
  readonly invoker: Invoker;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly stage?: string;
  /**
   * Several vantages (issue #11): this watchdog is `vantage`, records its votes in `votes`, and a
   * target's health is the quorum's. Without them it decides alone on its own hysteresis.
   */
  readonly quorum?: {
    readonly vantages: VantagesConfig;
    readonly vantage: string;
    readonly votes: VoteStore;
  };
  /** The run marker overlapping scheduled runs hand over through; without it every run probes alone. */
  readonly handover?: HandoverStore;
  /** Which watchdog this is, where several probe from different places; `default` until then. */
  readonly vantage?: string;
}

/** How much time the run has left (the Lambda context's remaining time). */
export interface RunBudget {
  remainingMs(): number;
  /** Aborted when the invocation's time is nearly up (middy's backstop): start no more rounds. */
  readonly signal?: AbortSignal;
}

/**
 * @example
 * const report = await runWatchdog(deps, { time: event.time }, { remainingMs: () => context.getRemainingTimeInMillis() });
 * report.invoked; // [{ fn: 'failover', service: 'payments-api', epoch: 4 }]
 */
export async function runWatchdog(
  deps: WatchdogDeps,
  event: { readonly time?: unknown; readonly periodSeconds?: unknown },
  budget: RunBudget,
): Promise<WatchdogReport> {
  const { clock, log } = deps;
  const ledger = new Ledger(deps);
  const started = clock.now();
  const scheduledAt = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
  if (Number.isFinite(scheduledAt) && started - scheduledAt > MAX_EVENT_AGE_MS) {
    log.warn('dropped a late scheduled event', { scheduledAt: event.time, ageMs: started - scheduledAt });
    return { ...ledger.report, dropped: true };
  }
  const periodMs = typeof event.periodSeconds === 'number' ? event.periodSeconds * 1000 : Number.NaN;
  const handover = await beginHandover(deps, { scheduledAt, periodMs, started });
  if (handover === 'superseded') return { ...ledger.report, dropped: true };

  const roundCostMs = Math.max(...deps.services.map(maxCheckTimeoutMs)) + SAFETY_MARGIN_MS;
  // Read the state only once the previous run's last rounds are done: it writes what they saw.
  const ahead = Math.min(...deps.services.map((s) => handover.notBefore(s))) - clock.now();
  if (ahead > 0 && handover.remainingMs(budget.remainingMs(), clock.now()) - ahead >= roundCostMs) {
    await clock.sleep(ahead);
  }

  const stored = await deps.store.loadAll(deps.services.map((s) => s.name));
  const tracked: Tracked[] = deps.services.map((config) => {
    const found = stored.get(config.name);
    return {
      config,
      state: found?.value ?? initialState(config.name, stateKeyOf(config).first),
      version: found?.version ?? null,
      nextDue: handover.notBefore(config),
    };
  });
  await reconcileAll(deps, tracked, ledger);
  const voter =
    deps.quorum === undefined ? null : await VantageVoter.start({ ...deps.quorum, prober: deps.prober, log });

  const metrics = new RunMetrics();
  for (;;) {
    const now = clock.now();
    const due = tracked.filter((t) => t.nextDue <= now);
    if (due.length > 0) {
      if (
        !(await handover.beforeRound(
          now,
          due.map((t) => t.config.name),
        ))
      )
        break;
      await round(deps, due, now, ledger, metrics, voter);
      for (const t of due) t.nextDue = now + t.config.policy.probeIntervalSeconds * 1000;
    }
    const waitMs = Math.max(0, Math.min(...tracked.map((t) => t.nextDue)) - clock.now());
    const leftMs = handover.remainingMs(budget.remainingMs(), clock.now());
    if (leftMs - waitMs < roundCostMs || budget.signal?.aborted) break;
    await clock.sleep(waitMs);
  }

  await ledger.settle();
  ledger.report.handedOver = handover.handedOver;
  metrics.emit(deps.metrics, deps.stage ?? 'local', {
    durationMs: clock.now() - started,
    rounds: ledger.report.rounds,
  });
  log.info('watchdog run done', {
    ...ledger.report,
    invoked: ledger.report.invoked.length,
    durationMs: clock.now() - started,
  });
  return ledger.report;
}

async function round(
  deps: WatchdogDeps,
  due: readonly Tracked[],
  now: number,
  ledger: Ledger,
  metrics: RunMetrics,
  voter: VantageVoter | null,
): Promise<void> {
  // A ramp's step alarm is read only while the ramp is under way (issue #13): no cost otherwise.
  const gates = new Set(
    due
      .filter(
        (t) =>
          (t.state.ramp !== null || (t.state.shares?.ramp ?? null) !== null) && t.config.policy.stepAlarm,
      )
      .map((t) => t.config.name),
  );
  const observations = await deps.prober.probeServices(
    due.map((t) => t.config),
    gates,
  );
  const votes =
    voter === null
      ? null
      : await voter.round(
          due.map((t) => t.config),
          observations,
          now,
        );
  ledger.report.rounds++;
  metrics.roundDurations.push(deps.clock.now() - now);
  const decided: Decided[] = [];
  await Promise.all(
    due.map(async (t) => {
      const observation = observations.get(t.config.name);
      if (!observation) return;
      metrics.sample(t, t.state, observation);
      const count = votes?.tallies.get(t.config.name);
      if (count !== undefined) metrics.sampleVoters(t.config.name, count.voters.length);
      const judge = judgeFor(t, observation, now, votes);
      if (judge === null) return;
      if (votes?.newlyBlind.includes(t.config.name)) ledger.notice(t, blindNotice(deps, t, observation));
      try {
        const actions = await decideAndSave(deps, t, judge, ledger);
        for (const action of actions) {
          if (isFlipAction(action)) decided.push(decision(deps, t, action, ledger));
          else ledger.notice(t, action);
        }
      } catch (error) {
        // A write that failed past the SDK's retries (throttling, timeouts) must not end the run for
        // every service: nothing was decided for this one, and the next round decides again from
        // the last state it knows to be stored (a write that did land shows up as a conflict then).
        const contention = error instanceof StateContentionError;
        deps.log[contention ? 'warn' : 'error'](
          contention
            ? 'state kept changing during the round; decided nothing this round'
            : 'could not record the round; deciding again next round',
          { service: t.config.name, error },
        );
      }
    }),
  );
  await invokeByZone(deps, decided);
  await publishRoundSignals(deps, due);
}

/**
 * How this round decides a service: on this watchdog's own hysteresis, or — with vantages — on the
 * quorum's tally (null: the other vantages' votes could not be read, so nothing is decided).
 */
function judgeFor(
  t: Tracked,
  observation: Observation,
  now: number,
  votes: RoundVotes | null,
): ((state: ServiceState) => Decision) | null {
  const order = targetOrder(t.config);
  if (votes === null) return (state) => decide(state, observation, t.config.policy, order, now);
  const count: Tally | undefined = votes.tallies.get(t.config.name);
  if (count === undefined) return null;
  const evidence = evidenceOf(observation);
  const gate = observation.gate ?? null;
  return (state) => decideByQuorum(state, count, evidence, t.config.policy, order, now, gate);
}

function blindNotice(deps: WatchdogDeps, t: Tracked, observation: Observation): NoticeAction {
  return {
    type: 'alert',
    event: 'vantage-blind',
    message:
      `Vantage ${deps.quorum?.vantage} reaches no target of ${t.config.name} and not the canary either: ` +
      'its own network is at fault. It abstains until it sees again; the other vantages decide.',
    evidence: evidenceOf(observation),
  };
}

/** This vantage's round, as the evidence a decision or a notice carries: each target's checks. */
function evidenceOf(observation: Observation): Evidence {
  return Object.fromEntries(Object.entries(observation.targets).map(([id, seen]) => [id, seen.checks]));
}

/** Decide; write only when something but the evidence changed; on a lost race, decide again on the fresh state. */
async function decideAndSave(
  deps: WatchdogDeps,
  t: Tracked,
  judge: (state: ServiceState) => Decision,
  ledger: Ledger,
): Promise<Action[]> {
  let actions: Action[] = [];
  let next = t.state;
  const out = await writeConditionally(
    deps.store,
    stateKeyOf(t.config),
    { value: t.state, version: t.version },
    (state) => {
      const decision = judge(state);
      actions = decision.actions;
      next = decision.next;
      return needsWrite(state, decision.next) ? decision.next : null;
    },
    'record the round of',
    ROUND_WRITE_ATTEMPTS,
  );
  ledger.wrote(out);
  t.state = next;
  t.version = out.version;
  return actions;
}

/** A move decided this round, ready to be sent. */
interface Decided {
  readonly fn: 'failover' | 'failback';
  readonly zone: string;
  readonly invocation: FlipInvocation;
}

/** Record and log one decided move; it is sent with the others of its zone (`invokeByZone`). */
function decision(deps: WatchdogDeps, t: Tracked, action: FlipAction, ledger: Ledger): Decided {
  const service = t.config.name;
  // One id follows this decision through the flip function into its audit events and notifications.
  const correlationId = randomUUID();
  ledger.report.invoked.push({ fn: action.type, service, epoch: action.epoch });
  deps.log.warn(`${action.type} decided`, {
    service,
    to: action.to,
    epoch: action.epoch,
    reason: action.reason,
    correlationId,
  });
  ledger.audit(t, `${action.type}-decided`, action.reason, { correlationId, evidence: action.evidence });
  return {
    fn: action.type,
    zone: t.config.hostedZoneId,
    invocation: {
      service,
      to: action.to,
      epoch: action.epoch,
      reason: action.reason,
      evidence: action.evidence,
      correlationId,
      ...(action.step === undefined ? {} : { step: action.step }),
      ...(action.weights === undefined ? {} : { weights: action.weights }),
    },
  };
}

/**
 * Send the round's moves: one invocation per flip function and hosted zone, so the flip makes one
 * Route 53 batch for the zone and takes one slot for all of it (issue #10); a move alone goes as a
 * plain request. A batch is split to stay under Lambda's 256 KB async payload.
 */
async function invokeByZone(deps: WatchdogDeps, decided: readonly Decided[]): Promise<void> {
  const groups = new Map<string, Decided[]>();
  for (const d of decided) groups.set(`${d.fn} ${d.zone}`, [...(groups.get(`${d.fn} ${d.zone}`) ?? []), d]);
  await Promise.all(
    [...groups.values()].flatMap((group) =>
      underPayloadLimit(group.map((d) => d.invocation)).map(async (moves) => {
        const fn = group[0]?.fn ?? 'failover';
        const [only] = moves;
        try {
          await deps.invoker.invoke(fn, moves.length === 1 && only !== undefined ? only : { moves });
        } catch (error) {
          // The state says a move is on its way: the watchdog re-sends it after the pending timeout.
          for (const move of moves) {
            deps.log.error(`could not invoke the ${fn} function`, {
              service: move.service,
              error,
              correlationId: move.correlationId,
            });
          }
        }
      }),
    ),
  );
}

/** Lambda takes at most 256 KB per async event: keep each batch under 240 KB of JSON. */
const MAX_PAYLOAD_BYTES = 240 * 1024;

function underPayloadLimit(moves: readonly FlipInvocation[]): FlipInvocation[][] {
  const batches: FlipInvocation[][] = [];
  let current: FlipInvocation[] = [];
  let size = 0;
  for (const move of moves) {
    const bytes = Buffer.byteLength(JSON.stringify(move)) + 1;
    if (current.length > 0 && (size + bytes > MAX_PAYLOAD_BYTES || current.length >= MAX_BATCH_MOVES)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(move);
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function maxCheckTimeoutMs(service: ServiceConfig): number {
  return Math.max(...service.targets.flatMap((target) => target.checks).map((c) => c.timeoutMs));
}
