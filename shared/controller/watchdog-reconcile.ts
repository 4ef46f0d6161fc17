/**
 * Reconciliation, once per watchdog run: read Route 53 (one listing per hosted zone: the account
 * shares 5 Route 53 requests/s) and record the truth where it differs from the recorded state — a
 * flip whose write was lost, a hand edit, an operator's claim that never landed (`domain/reconcile.ts`).
 * Never every round, and never a Route 53 change: it records, it does not fight.
 */
import { targetOrder } from '../domain/config.ts';
import type { Evidence } from '../domain/events.ts';
import { recordsTtl, weightsOfReading } from '../domain/flip-plan.ts';
import type { Clock, ReadResult, StateStore, TrafficReading, TrafficSwitch } from '../domain/ports.ts';
import { stepHoldSeconds } from '../domain/ramp.ts';
import { type ReconcileView, type Reconciliation, reconcileWeights } from '../domain/reconcile.ts';
import { isFailback, type ServiceState } from '../domain/state.ts';
import type { Logger } from '../telemetry/log.ts';
import { stateKeyOf, writeConditionally } from './conditional-write.ts';
import type { Ledger, Tracked } from './watchdog-ledger.ts';

export interface ReconcileDeps {
  readonly store: StateStore;
  readonly traffic: TrafficSwitch;
  readonly clock: Clock;
  readonly log: Logger;
}

/**
 * @example
 * await reconcileAll(deps, tracked, ledger); // ledger.report.reconciled lists what was recorded
 */
export async function reconcileAll(
  deps: ReconcileDeps,
  tracked: readonly Tracked[],
  ledger: Ledger,
): Promise<void> {
  let readings: Map<string, ReadResult>;
  try {
    readings = await deps.traffic.readAll(tracked.map((t) => t.config));
  } catch (error) {
    deps.log.error('could not read Route 53 to reconcile; probing goes on', { error });
    return;
  }
  for (const t of tracked) {
    const read = readings.get(t.config.name);
    if (!read) continue;
    if (!read.ok) {
      deps.log.error('Route 53 records unusable', {
        service: t.config.name,
        reason: read.reason,
        detail: read.message,
      });
      continue;
    }
    try {
      await reconcileOne(deps, t, read.reading, ledger);
    } catch (error) {
      // Like a round's write: never end the run for every service; the next run reconciles again.
      deps.log.error('could not record the reconciliation; the next run tries again', {
        service: t.config.name,
        error,
      });
    }
  }
}

async function reconcileOne(
  deps: ReconcileDeps,
  t: Tracked,
  reading: TrafficReading,
  ledger: Ledger,
): Promise<void> {
  const now = deps.clock.now();
  // The whole weight map (issue #13): a ramped failback splits the traffic on purpose.
  const view: ReconcileView = {
    weights: weightsOfReading(reading),
    order: targetOrder(t.config),
    activeWeight: t.config.activeWeight,
    holdSeconds: stepHoldSeconds(t.config.policy, recordsTtl(reading)),
  };
  let result: Reconciliation | null = null;
  const key = stateKeyOf(t.config);
  const out = await writeConditionally(
    deps.store,
    key,
    { value: t.state, version: t.version },
    (s) => {
      result = reconcileWeights(s, view, now, key.first);
      return result?.next ?? null;
    },
    'reconcile',
  );
  ledger.wrote(out);
  t.state = out.state;
  t.version = out.version;
  const done: Reconciliation | null = result;
  if (!out.written || done === null) return;
  const { kind, from, to, message } = done;
  ledger.report.reconciled.push({ service: t.config.name, kind });
  deps.log.warn('reconciled with Route 53', { service: t.config.name, kind, message });
  // A released claim is a flip that never happened: told as the failed flip it was.
  const event =
    kind !== 'claim-released'
      ? 'reconciled'
      : isFailback(targetOrder(t.config), from, to)
        ? 'failback-failed'
        : 'failover-failed';
  ledger.notice(
    t,
    {
      type: 'alert',
      event,
      message,
      evidence: lastResults(t.state),
    },
    { from, to },
    { kind, from, to },
  );
}

/** Each target's stored last results. */
export function lastResults(state: ServiceState): Evidence {
  return Object.fromEntries(Object.entries(state.targets).map(([id, health]) => [id, health.last]));
}
