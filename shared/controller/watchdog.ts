/**
 * The watchdog use case: one scheduled run of sub-minute probe rounds for every service.
 *
 * Primary course:
 *  1. Drop a scheduled event delivered too late (a redelivery must not act on an old schedule)
 *  2. Load every service's state in one batch
 *  3. Reconcile once per run: read Route 53 (one listing per hosted zone) and record the truth
 *     where it differs from the recorded phase — never every round (5 Route 53 requests/s per account)
 *  4. Every `probeIntervalSeconds`, while the next round fits in the remaining time:
 *     probe, decide, write only what changed (conditionally), then carry out the actions —
 *     invoke the flip functions asynchronously, notify people
 *  5. Wait for the notifications, emit the heartbeat and round metrics
 */
import { otherTarget, type ServiceConfig, type TargetName } from '../domain/config.ts';
import { decide } from '../domain/decide.ts';
import { type Action, type AuditEvent, isFlipAction, type NoticeAction } from '../domain/events.ts';
import { initialState } from '../domain/initial-state.ts';
import { needsWrite } from '../domain/persist.ts';
import type {
  Clock,
  DeliveryReport,
  Invoker,
  Notifier,
  Prober,
  StateStore,
  TrafficSwitch,
} from '../domain/ports.ts';
import { reconcile } from '../domain/reconcile.ts';
import { activeTarget, type Observation, type ServiceState } from '../domain/state.ts';
import type { Logger } from '../telemetry/log.ts';
import { METRIC } from '../telemetry/metric-names.ts';
import type { MetricSample, Metrics } from '../telemetry/metrics.ts';
import { watchdogAdvice } from './advice.ts';

/** A scheduled event older than this is a late redelivery: dropped. */
export const MAX_EVENT_AGE_MS = 90_000;
/**
 * Kept free at the end of a run for a round's writes when DynamoDB throttles (the SDK's backoff can
 * take 3-4 s), the final notifications and metrics: a run must never reach the Lambda timeout.
 */
export const SAFETY_MARGIN_MS = 5_000;

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
}

export interface WatchdogReport {
  readonly dropped: boolean;
  readonly rounds: number;
  readonly writes: number;
  readonly conflicts: number;
  readonly invoked: readonly { fn: 'failover' | 'failback'; service: string; epoch: number }[];
  readonly reconciled: readonly { service: string; kind: string }[];
  readonly notices: readonly { service: string; event: string }[];
}

interface Tracked {
  config: ServiceConfig;
  state: ServiceState;
  version: number | null;
  nextDue: number;
  healthSamples: { primary: number[]; secondary: number[]; active: number[] };
  /** Per check latency of each round, only for `metrics: detailed` services. */
  latencySamples: Map<string, { target: string; check: string; values: number[] }>;
}

export async function runWatchdog(
  deps: WatchdogDeps,
  event: { readonly time?: unknown },
  budget: RunBudget,
): Promise<WatchdogReport> {
  return new WatchdogRun(deps).run(event, budget);
}

class WatchdogRun {
  readonly deps: WatchdogDeps;
  readonly report: {
    dropped: boolean;
    rounds: number;
    writes: number;
    conflicts: number;
    invoked: { fn: 'failover' | 'failback'; service: string; epoch: number }[];
    reconciled: { service: string; kind: string }[];
    notices: { service: string; event: string }[];
  } = { dropped: false, rounds: 0, writes: 0, conflicts: 0, invoked: [], reconciled: [], notices: [] };
  readonly pending: Promise<unknown>[] = [];
  readonly roundDurations: number[] = [];

  constructor(deps: WatchdogDeps) {
    this.deps = deps;
  }

  async run(event: { readonly time?: unknown }, budget: RunBudget): Promise<WatchdogReport> {
    const { clock, log } = this.deps;
    const started = clock.now();
    const scheduledAt = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
    if (Number.isFinite(scheduledAt) && started - scheduledAt > MAX_EVENT_AGE_MS) {
      log.warn('dropped a late scheduled event', { scheduledAt: event.time, ageMs: started - scheduledAt });
      return { ...this.report, dropped: true };
    }

    const tracked = await this.loadAll(started);
    await this.reconcileAll(tracked);

    const roundCostMs = Math.max(...this.deps.services.map(maxCheckTimeoutMs)) + SAFETY_MARGIN_MS;
    for (;;) {
      const now = clock.now();
      const due = tracked.filter((t) => t.nextDue <= now);
      if (due.length > 0) {
        await this.round(due, now);
        for (const t of due) t.nextDue = now + t.config.policy.probeIntervalSeconds * 1000;
      }
      const nextDue = Math.min(...tracked.map((t) => t.nextDue));
      const waitMs = Math.max(0, nextDue - clock.now());
      if (budget.remainingMs() - waitMs < roundCostMs) break;
      await clock.sleep(waitMs);
    }

    await Promise.allSettled(this.pending);
    this.emitMetrics(tracked, clock.now() - started);
    log.info('watchdog run done', {
      ...this.report,
      invoked: this.report.invoked.length,
      durationMs: clock.now() - started,
    });
    return this.report;
  }

  async loadAll(now: number): Promise<Tracked[]> {
    const names = this.deps.services.map((s) => s.name);
    const stored = await this.deps.store.loadAll(names);
    return this.deps.services.map((config) => {
      const found = stored.get(config.name);
      return {
        config,
        state: found?.value ?? initialState(config.name),
        version: found?.version ?? null,
        nextDue: now,
        healthSamples: { primary: [], secondary: [], active: [] },
        latencySamples: new Map(),
      };
    });
  }

  /** Step 3: one read per hosted zone; record what Route 53 really shows. */
  async reconcileAll(tracked: Tracked[]): Promise<void> {
    let readings: Map<string, Awaited<ReturnType<TrafficSwitch['read']>>>;
    try {
      readings = await this.deps.traffic.readAll(tracked.map((t) => t.config));
    } catch (error) {
      this.deps.log.error('could not read Route 53 to reconcile; probing goes on', { error });
      return;
    }
    for (const t of tracked) {
      const read = readings.get(t.config.name);
      if (!read) continue;
      if (!read.ok) {
        this.deps.log.error('Route 53 records unusable', {
          service: t.config.name,
          reason: read.reason,
          detail: read.message,
        });
        continue;
      }
      const now = this.deps.clock.now();
      const result = reconcile(t.state, read.reading.active, now);
      if (!result) continue;
      let saved: Awaited<ReturnType<StateStore['save']>>;
      try {
        saved = await this.deps.store.save(result.next, t.version);
      } catch (error) {
        // Like a round's write: never end the run for every service; the next run reconciles again.
        this.deps.log.error('could not record the reconciliation; the next run tries again', {
          service: t.config.name,
          error,
        });
        continue;
      }
      if (!saved.ok) {
        this.report.conflicts++;
        if (saved.current) Object.assign(t, { state: saved.current.value, version: saved.current.version });
        continue;
      }
      this.report.writes++;
      t.state = result.next;
      t.version = saved.version;
      this.report.reconciled.push({ service: t.config.name, kind: result.kind });
      this.deps.log.warn('reconciled with Route 53', {
        service: t.config.name,
        kind: result.kind,
        message: result.message,
      });
      // A released claim is a flip that never happened: told as the failed flip it was.
      const event =
        result.kind !== 'claim-released'
          ? 'reconciled'
          : result.to === 'secondary'
            ? 'failover-failed'
            : 'failback-failed';
      this.announce(
        t,
        {
          type: 'alert',
          event,
          message: result.message,
          evidence: { primary: t.state.primary.last, secondary: t.state.secondary.last },
        },
        { from: result.from, to: result.to },
      );
      this.audit(t, 'reconciled', result.message, { kind: result.kind, from: result.from, to: result.to });
    }
  }

  async round(due: Tracked[], now: number): Promise<void> {
    const observations = await this.deps.prober.probeServices(due.map((t) => t.config));
    this.report.rounds++;
    this.roundDurations.push(this.deps.clock.now() - now);
    await Promise.all(
      due.map(async (t) => {
        const observation = observations.get(t.config.name);
        if (!observation) return;
        this.sample(t, observation);
        try {
          const actions = await this.decideAndSave(t, observation, now);
          for (const action of actions) await this.carryOut(t, action);
        } catch (error) {
          // A write that failed past the SDK's retries (throttling, timeouts) must not end the run for
          // every service: nothing was decided for this one, and the next round decides again from
          // the last state it knows to be stored (a write that did land shows up as a conflict then).
          this.deps.log.error('could not record the round; deciding again next round', {
            service: t.config.name,
            error,
          });
        }
      }),
    );
  }

  /** Decide; write only when something but the evidence changed; on a lost race, decide again on the fresh state. */
  async decideAndSave(t: Tracked, observation: Observation, now: number): Promise<Action[]> {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const decision = decide(t.state, observation, t.config.policy, now);
      if (!needsWrite(t.state, decision.next)) {
        t.state = decision.next;
        return decision.actions;
      }
      const saved = await this.deps.store.save(decision.next, t.version);
      if (saved.ok) {
        this.report.writes++;
        t.state = decision.next;
        t.version = saved.version;
        return decision.actions;
      }
      this.report.conflicts++;
      const fresh = saved.current ?? (await this.deps.store.load(t.config.name));
      if (!fresh) return [];
      t.state = fresh.value;
      t.version = fresh.version;
    }
    this.deps.log.warn('state kept changing during the round; decided nothing this round', {
      service: t.config.name,
    });
    return [];
  }

  async carryOut(t: Tracked, action: Action): Promise<void> {
    const service = t.config.name;
    if (!isFlipAction(action)) {
      this.announce(t, action);
      this.audit(t, action.event, action.message, {});
      return;
    }
    this.report.invoked.push({ fn: action.type, service, epoch: action.epoch });
    this.deps.log.warn(`${action.type} decided`, { service, epoch: action.epoch, reason: action.reason });
    this.audit(t, `${action.type}-decided`, action.reason, { evidence: action.evidence });
    try {
      await this.deps.invoker.invoke(action.type, {
        service,
        epoch: action.epoch,
        reason: action.reason,
        evidence: action.evidence,
      });
    } catch (error) {
      // The state says failing-*: the watchdog re-sends after the pending timeout.
      this.deps.log.error(`could not invoke the ${action.type} function`, { service, error });
    }
  }

  /** `route`: where traffic was and is (reconciliation), or would go (failback-ready); else just where it is. */
  announce(t: Tracked, notice: NoticeAction, route?: { from: TargetName; to: TargetName }): void {
    this.report.notices.push({ service: t.config.name, event: notice.event });
    if (notice.event === 'flapping-frozen') {
      this.deps.metrics.put(
        { Stage: this.deps.stage ?? 'local', Service: t.config.name },
        [{ name: METRIC.flappingFrozen.name, unit: METRIC.flappingFrozen.unit, value: 1 }],
        [['Stage']],
      );
    }
    const advice = watchdogAdvice(t.config, notice.event);
    const active = activeTarget(t.state.phase);
    const where =
      route ??
      (notice.event === 'failback-ready' ? { from: active, to: otherTarget(active) } : { from: active });
    const delivery: Promise<DeliveryReport[]> = this.deps.notifier.notify(
      {
        event: notice.event,
        service: t.config.name,
        ...where,
        reason: notice.message,
        requestedBy: 'watchdog',
        epoch: t.state.epoch,
        evidence: notice.evidence,
        at: this.deps.clock.now(),
        severity: notice.type === 'alert' ? advice.severity : 'info',
        next: advice.next,
      },
      t.config.notify,
    );
    this.pending.push(
      delivery.then((reports) => {
        const failed = reports.filter((r) => !r.ok);
        if (failed.length > 0)
          this.deps.log.warn('notification channels failed', { service: t.config.name, failed });
      }),
    );
  }

  audit(t: Tracked, kind: string, reason: string, details: Record<string, unknown>): void {
    const at = this.deps.clock.now();
    const { evidence, ...rest } = details;
    const event: AuditEvent = {
      service: t.config.name,
      at,
      id: `${kind}-e${t.state.epoch}-${at}`,
      kind,
      epoch: t.state.epoch,
      reason,
      requestedBy: 'watchdog',
      ...(evidence ? { evidence: evidence as AuditEvent['evidence'] } : {}),
      details: rest,
    };
    this.pending.push(
      this.deps.store.appendAudit(event).catch((error: unknown) => {
        this.deps.log.error('audit write failed', { service: t.config.name, error, event });
      }),
    );
  }

  sample(t: Tracked, observation: Observation): void {
    t.healthSamples.primary.push(observation.primary.ok ? 1 : 0);
    t.healthSamples.secondary.push(observation.secondary.ok ? 1 : 0);
    t.healthSamples.active.push(activeTarget(t.state.phase) === 'primary' ? 0 : 1);
    if (t.config.metrics !== 'detailed') return;
    for (const target of ['primary', 'secondary'] as const) {
      for (const check of observation[target].checks) {
        const key = `${target} ${check.check}`;
        const series = t.latencySamples.get(key) ?? { target, check: check.check, values: [] };
        series.values.push(check.latencyMs);
        t.latencySamples.set(key, series);
      }
    }
  }

  emitMetrics(tracked: Tracked[], durationMs: number): void {
    const stage = this.deps.stage ?? 'local';
    this.deps.metrics.put({ Stage: stage }, [
      { name: METRIC.heartbeat.name, unit: METRIC.heartbeat.unit, value: 1 },
      { name: METRIC.runDuration.name, unit: METRIC.runDuration.unit, value: durationMs },
      { name: METRIC.rounds.name, unit: METRIC.rounds.unit, value: this.report.rounds },
      ...(this.roundDurations.length > 0
        ? [{ name: METRIC.roundDuration.name, unit: METRIC.roundDuration.unit, value: this.roundDurations }]
        : []),
    ]);
    for (const t of tracked) {
      if (t.healthSamples.primary.length === 0) continue;
      const samples: MetricSample[] = [
        {
          name: METRIC.primaryHealthy.name,
          unit: METRIC.primaryHealthy.unit,
          value: t.healthSamples.primary,
        },
        {
          name: METRIC.secondaryHealthy.name,
          unit: METRIC.secondaryHealthy.unit,
          value: t.healthSamples.secondary,
        },
        { name: METRIC.activeTarget.name, unit: METRIC.activeTarget.unit, value: t.healthSamples.active },
      ];
      this.deps.metrics.put({ Stage: stage, Service: t.config.name }, samples);
      for (const series of t.latencySamples.values()) {
        this.deps.metrics.put(
          { Stage: stage, Service: t.config.name, Target: series.target, Check: series.check },
          [{ name: METRIC.probeLatency.name, unit: METRIC.probeLatency.unit, value: series.values }],
        );
      }
    }
  }
}

function maxCheckTimeoutMs(service: ServiceConfig): number {
  return Math.max(...[...service.primary.checks, ...service.secondary.checks].map((c) => c.timeoutMs));
}
