/**
 * Carry out one move: the steps of the flip engine, each a pure rule of `domain/move.ts` applied
 * through the one conditional write, with Route 53 in the middle.
 * Primary course:
 *  1. Load the state and check the fence (an automatic move needs its epoch and its pending phase)
 *  2. Read the Route 53 records; if they already show the target active, record that and stop
 *  3. Re-verify the target with a fresh probe (unless forced, which is recorded as a hold)
 *  4. Claim the move with a conditional write, so exactly one invocation goes on
 *  5. Flip the weights with one compare-and-swap change batch — one per hosted zone for the moves
 *     of a batch (`executeMoves`): a stale record of one service never holds the others back
 *  6. Record the new state (epoch + 1) as soon as the change is accepted; only an operator's flip
 *     then waits (bounded) for INSYNC — an automatic one frees its slot at once (issue #10)
 *  Route 53 refused and the records did not move: release the claim and record the failure in one
 *  write. Whether it landed is unknown: keep the claim; the watchdog settles it from Route 53.
 *  Issue #12, a service with `dataPlane`: `only` lands every move through the data plane (no Route 53
 *  call); `fallback` tries the compare-and-swap (and a fresh read, if Route 53 could not be read)
 *  until `dataPlaneDeadlineSeconds` after its first attempt, then lands the move through the data
 *  plane (`landing.ts`). Either way it is one decision: one record (epoch + 1), and the signal is
 *  published right after it. A ramp step (issue #13) splits the weights, which the signal cannot
 *  express: it always goes through the compare-and-swap, whatever the mode (`readFor`, `landMoves`).
 */
import type { ServiceConfig, TargetId } from '../domain/config.ts';
import {
  type FlipPlan,
  type FlipShare,
  planFlip,
  recordsTtl,
  unexplainedSplit,
} from '../domain/flip-plan.ts';
import { failureOf, fence, isAutomatic, type Move, refuse, type Stop } from '../domain/move.ts';
import type {
  Clock,
  Prober,
  ReadResult,
  StateStore,
  TrafficReading,
  TrafficSignal,
  TrafficSwitch,
} from '../domain/ports.ts';
import { percentOf, stepHoldSeconds } from '../domain/ramp.ts';
import type { FlipFailure, Ramp, ServiceState, TargetObservation } from '../domain/state.ts';
import type { Logger } from '../telemetry/log.ts';
import { loadState, type Stored, stateKeyOf, writeConditionally } from './conditional-write.ts';
import { type Landing, landMoves, type Mechanism } from './landing.ts';
import { claimMove, publishSignal, recordMove, releaseClaim } from './move-writes.ts';

export interface ExecutionDeps {
  readonly store: StateStore;
  readonly traffic: TrafficSwitch;
  readonly prober: Prober;
  readonly clock: Clock;
  readonly log: Logger;
  /** How long to wait for INSYNC after recording (bounded by the caller's remaining time). */
  readonly inSyncWaitMs?: number;
  /** Aborted when the invocation's time is nearly up (middy's backstop): stop waiting. */
  readonly signal?: AbortSignal;
  /** Publishes the data-plane signal of `dataPlane` services (issue #12). */
  readonly trafficSignal?: TrafficSignal;
}

export interface Milestones {
  decidedAt?: number;
  verifiedAt?: number;
  changeAcceptedAt?: number;
  recordedAt?: number;
  inSyncAt?: number;
}

/** How a move ended, with what the report needs to tell people and the record. */
export type Execution =
  | { readonly kind: 'stopped'; readonly stop: Stop; readonly state: ServiceState }
  | {
      readonly kind: 'dry-run';
      readonly state: ServiceState;
      readonly plan: FlipPlan;
      readonly verification: TargetObservation;
    }
  | { readonly kind: 'refused'; readonly state: ServiceState; readonly verification: TargetObservation }
  | { readonly kind: 'changed-underneath'; readonly state: ServiceState; readonly found: string }
  | {
      readonly kind: 'failed';
      readonly claimed: ServiceState;
      readonly before: ServiceState;
      readonly failure: FlipFailure;
      /** `no`: Route 53 refused and the records are unchanged (claim released); `unknown`: claim kept. */
      readonly applied: 'no' | 'unknown';
    }
  | {
      readonly kind: 'moved';
      /** Where the traffic was. */
      readonly from: TargetId;
      /** The ramp under way when the move started (issue #13), else null. */
      readonly ramp: Ramp | null;
      readonly recorded: ServiceState;
      readonly changeId: string | null;
      readonly verification: TargetObservation;
      /** How it landed: the compare-and-swap of the weights, or the signal (issue #12). */
      readonly mechanism: Mechanism;
      /** `data-plane`: why the compare-and-swap was not used (Route 53's error, or `dataPlane: only`). */
      readonly cause?: string;
    };

/** Thrown for infrastructure failures (Route 53 unreadable): the invocation fails and alarms. */
export class FlipError extends Error {
  override name = 'FlipError';
}

/** A move prepared up to its claim, waiting for its Route 53 change. */
export interface Prepared {
  readonly service: ServiceConfig;
  readonly move: Move;
  readonly milestones: Milestones;
  readonly claimed: Stored & { readonly before: ServiceState };
  /** Null: Route 53 could not be read (a `dataPlane` service goes on) or need not be (`only`). */
  readonly reading: TrafficReading | null;
  readonly verification: TargetObservation;
  /** A ramp step's split (issue #13), else undefined. */
  readonly share: FlipShare | undefined;
  /** The hold the step gets when it lands: max(stepHoldSeconds, the records' TTL as read). */
  readonly holdSeconds: number;
}

/**
 * Carry out one move (an operator's request, or the watchdog's decision of one service).
 *
 * @example
 * const execution = await executeMove(deps, service, move, { dryRun: false }, milestones);
 * if (execution.kind === 'moved') log.info('moved', { epoch: execution.recorded.epoch });
 */
export async function executeMove(
  deps: ExecutionDeps,
  service: ServiceConfig,
  move: Move,
  options: { readonly dryRun: boolean },
  milestones: Milestones,
): Promise<Execution> {
  const read = async () => deps.traffic.read(service);
  const prepared = await prepareMove(deps, { service, move, milestones }, read, options);
  if ('kind' in prepared) return prepared;
  const result = (await landMoves(deps, [prepared])).get(service.name);
  return completeMove(deps, prepared, result ?? missingResult(service));
}

export interface BatchItem {
  readonly service: ServiceConfig;
  readonly move: Move;
  readonly milestones: Milestones;
}

/**
 * Carry out the moves of a batch (the watchdog's decisions of one round in one hosted zone): each is
 * fenced, re-verified and claimed on its own, then every claimed one goes into one compare-and-swap
 * batch per zone (`TrafficSwitch.flipMany`), and each is recorded or released on its own. One
 * listing per zone reads them all. A move whose step throws (Route 53 unreadable for it, a state
 * write failing) does not stop the others: its error is in the result, the caller fails the
 * invocation after reporting the rest, and a retry finds the others done (fenced by their epochs).
 *
 * @example
 * const executions = await executeMoves(deps, items);
 * executions.map((e) => ('error' in e ? 'error' : e.kind)); // ['moved', 'moved', 'stopped']
 */
export async function executeMoves(
  deps: ExecutionDeps,
  items: readonly BatchItem[],
): Promise<(Execution | { readonly error: unknown })[]> {
  const readings = await deps.traffic.readAll(items.map((item) => item.service));
  const readOf = (service: ServiceConfig) => async () => readings.get(service.name) ?? notRead(service);
  const prepared = await Promise.all(
    items.map((item) =>
      prepareMove(deps, item, readOf(item.service), { dryRun: false }).catch((error: unknown) => ({ error })),
    ),
  );
  const claimed = prepared.filter((p): p is Prepared => !('kind' in p) && !('error' in p));
  const results = claimed.length === 0 ? new Map<string, Landing>() : await landMoves(deps, claimed);
  return Promise.all(
    prepared.map(async (p) => {
      if ('kind' in p || 'error' in p) return p;
      return completeMove(deps, p, results.get(p.service.name) ?? missingResult(p.service)).catch(
        (error: unknown) => ({ error }),
      );
    }),
  );
}

/** Steps 1 to 4: everything up to the claim, or how the move ended before it. */
async function prepareMove(
  deps: ExecutionDeps,
  item: BatchItem,
  read: () => Promise<ReadResult>,
  options: { readonly dryRun: boolean },
): Promise<Prepared | Execution> {
  const { service, move, milestones } = item;
  const loaded = await loadState(deps.store, service.name, move.first);
  const stop = fence(loaded.value, move);
  if (stop) return { kind: 'stopped', stop, state: loaded.value };
  if (loaded.value.moving?.to === move.to) milestones.decidedAt = loaded.value.moving.since;

  const found = await readFor(service, move, read, options);
  if (found !== null && !found.ok) {
    throw new FlipError(`Cannot move ${service.name} to the ${move.to}: ${found.message}`);
  }
  // Null: Route 53 unreadable or not read (issue #12); never a ramp step, which always reads (`readFor`).
  const reading = found?.reading ?? null;
  // A split only a ramp, or weights still pending behind a data-plane decision (a rollback from a
  // ramp's split), explains (issues #13, #12); any other is a hand edit the watchdog reconciles.
  if (
    reading !== null &&
    reading.active === null &&
    service.policy.activeActive === undefined &&
    !splitExplained(loaded.value)
  ) {
    throw new FlipError(
      `Cannot move ${service.name} to the ${move.to}: ${unexplainedSplit(service, reading)}`,
    );
  }
  const share = shareOf(loaded.value, move);
  const holdSeconds = stepHoldSeconds(service.policy, reading === null ? null : recordsTtl(reading));
  // Weights pending behind a data-plane decision are no evidence of where traffic goes (issue #12):
  // the move goes on, so that its record (and signal) follows it.
  if (
    reading !== null &&
    loaded.value.weightsPending === undefined &&
    planFlip(reading, move.to, service.activeWeight, share).kind === 'already-active'
  ) {
    if (!options.dryRun) await recordMove(deps, service, move, loaded, milestones, null, { holdSeconds });
    const message =
      share !== undefined && 'weights' in share
        ? `Route 53 already shows the weights decided for ${service.name}.`
        : `Route 53 already sends ${service.name} traffic to the ${move.to}${share ? ` at ${percentOf(move.step)} %` : ''}.`;
    return { kind: 'stopped', stop: { outcome: 'already-active', message }, state: loaded.value };
  }

  const verification = await deps.prober.probeTarget(service, move.to);
  milestones.verifiedAt = deps.clock.now();
  if (options.dryRun) {
    if (reading === null) throw new FlipError(`Cannot plan a move of ${service.name}: Route 53 was not read`);
    return {
      kind: 'dry-run',
      state: loaded.value,
      plan: planFlip(reading, move.to, service.activeWeight, share),
      verification,
    };
  }
  if (!verification.ok && !move.force) {
    const now = deps.clock.now();
    await writeConditionally(
      deps.store,
      stateKeyOf(service),
      loaded,
      (s) => refuse(s, loaded.value.epoch, move, verification, service.policy, now),
      'record the refusal of',
    );
    return { kind: 'refused', state: loaded.value, verification };
  }

  const claimed = await claimMove(deps, service, move, loaded);
  if ('kind' in claimed) return claimed;
  return { service, move, milestones, claimed, reading, verification, share, holdSeconds };
}

/**
 * Whether the state explains a split in Route 53: a ramp, or a ramp step on its way (issue #13), or
 * weights pending behind a data-plane decision (issue #12) — a rollback from a ramp's split that
 * landed through the data plane leaves the split until the watchdog's compare-and-swap matches it.
 */
function splitExplained(state: ServiceState): boolean {
  return (
    state.ramp !== null ||
    state.moving?.step !== undefined ||
    state.claim?.step !== undefined ||
    state.weightsPending !== undefined
  );
}

/** A ramp step's split: the active target (the one being left) keeps the rest of the weight. */
function shareOf(state: ServiceState, move: Move): FlipShare | undefined {
  // Active-active (issue #13 item 3): the weight map as the watchdog decided it.
  if (move.weights !== undefined) return { weights: move.weights };
  return move.step === undefined ? undefined : { from: state.active, step: move.step };
}

/**
 * Step 2's reading. A `dataPlane: only` service needs none (a dry run still shows the batch); for
 * `fallback`, Route 53 unreadable (it throws, or `readAll` says unavailable) is the outage the data
 * plane is for: null, and the landing step decides. Records that are not as configured still stop it.
 *
 * A ramp step (issue #13) always reads, whatever the mode: the data-plane signal allows whole targets
 * and cannot express a split, so a step lands only through the compare-and-swap — with Route 53
 * unreadable it fails like any control-plane move, and the ramp holds its current step until the API
 * answers (an advance waits; a rollback, a move of all the traffic, may still land through the data
 * plane). `resolveMove` refuses a step for `dataPlane: only`, which never changes a weight.
 */
async function readFor(
  service: ServiceConfig,
  move: Move,
  read: () => Promise<ReadResult>,
  options: { readonly dryRun: boolean },
): Promise<ReadResult | null> {
  const mode = service.dataPlane.mode;
  if (move.step !== undefined || move.weights !== undefined || options.dryRun) return read();
  if (mode === 'only') return null;
  if (mode !== 'fallback') return read();
  try {
    const found = await read();
    return !found.ok && found.reason === 'unavailable' ? null : found;
  } catch {
    return null;
  }
}

/** A result the traffic switch did not give (a bug): treated as unknown, so the claim is kept. */
/** `readAll` answers for every service it is given; this only guards a switch that does not. */
function notRead(service: ServiceConfig): ReadResult {
  return { ok: false, reason: 'unavailable', message: `Service "${service.name}": not read` };
}

function missingResult(service: ServiceConfig): Landing {
  return {
    outcome: 'error',
    message: `Service "${service.name}": the traffic switch returned no result for it`,
    found: null,
    applied: 'unknown',
  };
}

/** Step 6: what the compare-and-swap's outcome (or the data-plane landing) means for the claim. */
async function completeMove(deps: ExecutionDeps, prepared: Prepared, result: Landing): Promise<Execution> {
  const { service, move, claimed, verification, milestones } = prepared;
  switch (result.outcome) {
    case 'data-plane': {
      milestones.changeAcceptedAt = deps.clock.now();
      // Never a ramp step (`landMoves` keeps those on the compare-and-swap): a move of all the traffic,
      // e.g. a ramp's rollback to the standby while the Route 53 API is down.
      const recorded = await recordMove(deps, service, move, claimed, milestones, null, {
        mechanism: 'data-plane',
      });
      await publishSignal(deps, service, recorded);
      return {
        kind: 'moved',
        from: claimed.value.active,
        ramp: claimed.value.ramp,
        recorded,
        changeId: null,
        verification,
        mechanism: 'data-plane',
        cause: result.cause,
      };
    }
    case 'flipped':
    case 'already-flipped': {
      milestones.changeAcceptedAt = deps.clock.now();
      const changeId = result.outcome === 'flipped' ? result.changeId : null;
      const recorded = await recordMove(deps, service, move, claimed, milestones, changeId, {
        holdSeconds: prepared.holdSeconds,
      });
      // The signal follows every decision of a data-plane service, or its health checks would pull
      // the answer back to the old target until the watchdog's next round. A ramp step's signal keeps
      // the standby allowed and allows the returning target too (`signalOf`): the weights carry the split.
      await publishSignal(deps, service, recorded);
      // An operator waits to see it in sync; an automatic move frees its slot at once (issue #10):
      // the state is recorded, and Route 53 propagates the accepted change by itself.
      if (changeId && !isAutomatic(move)) {
        const status = await deps.traffic.waitInSync(
          changeId,
          deps.clock.now() + (deps.inSyncWaitMs ?? 30_000),
          deps.signal,
        );
        if (status === 'INSYNC') milestones.inSyncAt = deps.clock.now();
      }
      return {
        kind: 'moved',
        from: claimed.value.active,
        ramp: claimed.value.ramp,
        recorded,
        changeId,
        verification,
        mechanism: 'control-plane',
      };
    }
    case 'changed-underneath': {
      await releaseClaim(deps, service, move, claimed, null);
      const found = result.found.ok ? `${result.found.reading.active} active` : result.found.message;
      return { kind: 'changed-underneath', state: claimed.before, found };
    }
    case 'error': {
      const failure = failureOf(move, claimed.value.epoch, result.message, deps.clock.now());
      if (result.applied === 'no') await releaseClaim(deps, service, move, claimed, failure);
      return {
        kind: 'failed',
        claimed: claimed.value,
        before: claimed.before,
        failure,
        applied: result.applied,
      };
    }
  }
}
