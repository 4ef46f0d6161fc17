/**
 * The watchdog use case: one scheduled run of sub-minute probe rounds for every service.
 *
 * Primary course:
 *  1. Drop a scheduled event delivered too late (a redelivery must not act on an old schedule)
 *  2. Load every service's state in one batch
 *  3. Reconcile once per run with what Route 53 shows (`watchdog-reconcile.ts`)
 *  4. Every `probeIntervalSeconds`, while the next round fits in the remaining time:
 *     probe, decide, write only what changed (conditionally), then carry out the actions —
 *     invoke the flip functions asynchronously with a correlation id, notify people
 *  5. Wait for the notifications, emit the heartbeat and round metrics (`watchdog-metrics.ts`)
 */
import { randomUUID } from 'node:crypto';
import { type ServiceConfig, targetOrder } from '../domain/config.ts';
import { decide } from '../domain/decide.ts';
import { type Action, isFlipAction } from '../domain/events.ts';
import { initialState } from '../domain/initial-state.ts';
import { needsWrite } from '../domain/persist.ts';
import type { Clock, Invoker, Notifier, Prober, StateStore, TrafficSwitch } from '../domain/ports.ts';
import type { Observation } from '../domain/state.ts';
import type { Logger } from '../telemetry/log.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { StateContentionError, stateKeyOf, writeConditionally } from './conditional-write.ts';
import { Ledger, type Tracked, type WatchdogReport } from './watchdog-ledger.ts';
import { RunMetrics } from './watchdog-metrics.ts';
import { reconcileAll } from './watchdog-reconcile.ts';

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
  readonly prober: Prober;
  readonly invoker: Invoker;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly stage?: string;
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
  event: { readonly time?: unknown },
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

  const stored = await deps.store.loadAll(deps.services.map((s) => s.name));
  const tracked: Tracked[] = deps.services.map((config) => {
    const found = stored.get(config.name);
    return {
      config,
      state: found?.value ?? initialState(config.name, stateKeyOf(config).first),
      version: found?.version ?? null,
      nextDue: started,
    };
  });
  await reconcileAll(deps, tracked, ledger);

  const metrics = new RunMetrics();
  const roundCostMs = Math.max(...deps.services.map(maxCheckTimeoutMs)) + SAFETY_MARGIN_MS;
  for (;;) {
    const now = clock.now();
    const due = tracked.filter((t) => t.nextDue <= now);
    if (due.length > 0) {
      await round(deps, due, now, ledger, metrics);
      for (const t of due) t.nextDue = now + t.config.policy.probeIntervalSeconds * 1000;
    }
    const waitMs = Math.max(0, Math.min(...tracked.map((t) => t.nextDue)) - clock.now());
    if (budget.remainingMs() - waitMs < roundCostMs || budget.signal?.aborted) break;
    await clock.sleep(waitMs);
  }

  await ledger.settle();
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
): Promise<void> {
  const observations = await deps.prober.probeServices(due.map((t) => t.config));
  ledger.report.rounds++;
  metrics.roundDurations.push(deps.clock.now() - now);
  await Promise.all(
    due.map(async (t) => {
      const observation = observations.get(t.config.name);
      if (!observation) return;
      metrics.sample(t, t.state, observation);
      try {
        const actions = await decideAndSave(deps, t, observation, now, ledger);
        for (const action of actions) await carryOut(deps, t, action, ledger);
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
}

/** Decide; write only when something but the evidence changed; on a lost race, decide again on the fresh state. */
async function decideAndSave(
  deps: WatchdogDeps,
  t: Tracked,
  observation: Observation,
  now: number,
  ledger: Ledger,
): Promise<Action[]> {
  let actions: Action[] = [];
  let next = t.state;
  const out = await writeConditionally(
    deps.store,
    stateKeyOf(t.config),
    { value: t.state, version: t.version },
    (state) => {
      const decision = decide(state, observation, t.config.policy, targetOrder(t.config), now);
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

async function carryOut(deps: WatchdogDeps, t: Tracked, action: Action, ledger: Ledger): Promise<void> {
  const service = t.config.name;
  if (!isFlipAction(action)) {
    ledger.notice(t, action);
    return;
  }
  // One id follows this decision through the flip function into its audit events and notifications.
  const correlationId = randomUUID();
  ledger.report.invoked.push({ fn: action.type, service, epoch: action.epoch });
  deps.log.warn(`${action.type} decided`, {
    service,
    epoch: action.epoch,
    reason: action.reason,
    correlationId,
  });
  ledger.audit(t, `${action.type}-decided`, action.reason, { correlationId, evidence: action.evidence });
  try {
    await deps.invoker.invoke(action.type, {
      service,
      to: action.to,
      epoch: action.epoch,
      reason: action.reason,
      evidence: action.evidence,
      correlationId,
    });
  } catch (error) {
    // The state says failing-*: the watchdog re-sends after the pending timeout.
    deps.log.error(`could not invoke the ${action.type} function`, { service, error, correlationId });
  }
}

function maxCheckTimeoutMs(service: ServiceConfig): number {
  return Math.max(...service.targets.flatMap((target) => target.checks).map((c) => c.timeoutMs));
}
