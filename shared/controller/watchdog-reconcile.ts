/**
 * Reconciliation, once per watchdog run: read Route 53 (one listing per hosted zone: the account
 * shares 5 Route 53 requests/s) and record the truth where it differs from the recorded state — a
 * flip whose write was lost, a hand edit, an operator's claim that never landed (`domain/reconcile.ts`).
 * Never every round, and never a Route 53 change: it records, it does not fight — with one exception
 * (issue #12): a decision that landed through the data plane is brought into the weights with one
 * compare-and-swap per zone once the API answers (`matchWeights`), then the mark is cleared. A
 * `dataPlane: only` service is not read at all: its weights never carry the decision.
 *
 * The two features compose (issues #12, #13): a readable service is reconciled by its whole weight map
 * (`reconcileWeights`), so a ramp's split is an explained state; weights pending behind a data-plane
 * decision are judged by the record first (never a hand edit, split or not), and a split they leave
 * (a ramp's rollback that landed through the data plane) is matched like any lagging weights.
 */
import { type TargetId, targetOrder } from '../domain/config.ts';
import type { Evidence } from '../domain/events.ts';
import { recordsTtl, weightsOfReading } from '../domain/flip-plan.ts';
import type {
  Clock,
  FlipResult,
  ReadResult,
  StateStore,
  TrafficReading,
  TrafficSwitch,
  ZoneFlip,
} from '../domain/ports.ts';
import { stepHoldSeconds } from '../domain/ramp.ts';
import { formatDuration } from '../domain/reasons.ts';
import {
  type ReconcileView,
  type Reconciliation,
  reconcile,
  reconcileShares,
  reconcileWeights,
  weightsMatched,
  weightsToMatch,
} from '../domain/reconcile.ts';
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
  for (const t of tracked.filter((t) => t.config.dataPlane.mode === 'only')) {
    await reconcileOrLog(deps, t, null, ledger);
  }
  const readable = tracked.filter((t) => t.config.dataPlane.mode !== 'only');
  if (readable.length === 0) return;
  let readings: Map<string, ReadResult>;
  try {
    readings = await deps.traffic.readAll(readable.map((t) => t.config));
  } catch (error) {
    deps.log.error('could not read Route 53 to reconcile; probing goes on', { error });
    return;
  }
  const toMatch: { readonly t: Tracked; readonly flip: ZoneFlip }[] = [];
  for (const t of readable) {
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
    await reconcileOrLog(deps, t, read.reading, ledger);
    // `active` is null for a split: with the mark set, that is weights still to match, too.
    const to = t.config.dataPlane.mode === 'fallback' ? weightsToMatch(t.state, read.reading.active) : null;
    if (to !== null) toMatch.push({ t, flip: { service: t.config, to, expected: read.reading } });
  }
  if (toMatch.length > 0) await matchWeights(deps, toMatch, ledger);
}

async function reconcileOrLog(
  deps: ReconcileDeps,
  t: Tracked,
  reading: TrafficReading | null,
  ledger: Ledger,
) {
  try {
    await reconcileOne(deps, t, reading, ledger);
  } catch (error) {
    // Like a round's write: never end the run for every service; the next run reconciles again.
    deps.log.error('could not record the reconciliation; the next run tries again', {
      service: t.config.name,
      error,
    });
  }
}

/**
 * Bring the weights in line with decisions that landed through the data plane: one compare-and-swap
 * batch per zone (as a flip makes), then clear each mark with a conditional write on the decision's
 * epoch — a newer decision meanwhile keeps its own state. A failure leaves the mark for the next run.
 */
async function matchWeights(
  deps: ReconcileDeps,
  toMatch: readonly { readonly t: Tracked; readonly flip: ZoneFlip }[],
  ledger: Ledger,
): Promise<void> {
  let results: Map<string, FlipResult>;
  try {
    results = await deps.traffic.flipMany(toMatch.map((m) => m.flip));
  } catch (error) {
    deps.log.warn('could not bring the weights in line with the data-plane decisions; next run', { error });
    return;
  }
  for (const { t, flip } of toMatch) {
    const result = results.get(t.config.name);
    if (result?.outcome !== 'flipped' && result?.outcome !== 'already-flipped') {
      deps.log.warn('the weights still lag the data-plane decision; the next run tries again', {
        service: t.config.name,
        outcome: result?.outcome,
        detail: result?.outcome === 'error' ? result.message : undefined,
      });
      continue;
    }
    const epoch = t.state.epoch;
    const since = t.state.weightsPending?.since ?? deps.clock.now();
    try {
      const out = await writeConditionally(
        deps.store,
        stateKeyOf(t.config),
        { value: t.state, version: t.version },
        (s) => weightsMatched(s, epoch),
        'clear the pending weights of',
      );
      ledger.wrote(out);
      t.state = out.state;
      t.version = out.version;
      if (!out.written) continue;
    } catch (error) {
      deps.log.error('could not clear the pending weights; the next run reads them again', {
        service: t.config.name,
        error,
      });
      continue;
    }
    const message =
      `Route 53's weights for ${t.config.name} now match the decision that moved it to the ${flip.to} through ` +
      `the data plane (epoch ${epoch}, ${formatDuration(Math.max(0, deps.clock.now() - since))} ago)` +
      `${result.outcome === 'flipped' ? ` with one compare-and-swap (change ${result.changeId ?? 'accepted'})` : ''}. ` +
      'The control plane and the data plane agree again.';
    ledger.report.reconciled.push({ service: t.config.name, kind: 'weights-reconciled' });
    deps.log.warn('reconciled with Route 53', {
      service: t.config.name,
      kind: 'weights-reconciled',
      message,
    });
    const from = lostWeight(flip);
    ledger.notice(
      t,
      { type: 'notify', event: 'reconciled', message, evidence: lastResults(t.state) },
      { from, to: flip.to },
      {
        kind: 'weights-reconciled',
        from,
        to: flip.to,
        ...(flip.expected.active === null ? { weights: weightsOfReading(flip.expected) } : {}),
      },
    );
  }
}

/**
 * Where the matched weights came from: the one target they showed, or for a split (a ramp's rollback
 * that landed through the data plane, issue #13) the other target that had weight.
 */
function lostWeight(flip: ZoneFlip): TargetId {
  if (flip.expected.active !== null) return flip.expected.active;
  const weights = weightsOfReading(flip.expected);
  return Object.keys(weights).find((id) => id !== flip.to && (weights[id] ?? 0) > 0) ?? flip.to;
}

async function reconcileOne(
  deps: ReconcileDeps,
  t: Tracked,
  /** Null: not read (`dataPlane: only`). */
  reading: TrafficReading | null,
  ledger: Ledger,
): Promise<void> {
  const now = deps.clock.now();
  // The whole weight map (issue #13): a ramped failback splits the traffic on purpose. Not read
  // (`dataPlane: only`, issue #12): the record is the truth (`reconcile` with no target).
  const view: ReconcileView | null =
    reading === null
      ? null
      : {
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
      const settings = t.config.policy.activeActive;
      result =
        view === null
          ? reconcile(s, null, now, key.first)
          : settings !== undefined
            ? reconcileShares(s, view.weights, view.order, settings, now, view.holdSeconds)
            : reconcileWeights(s, view, now, key.first);
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
