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
  FlipResult,
  Prober,
  ReadResult,
  StateStore,
  TrafficReading,
  TrafficSwitch,
  ZoneFlip,
} from '../domain/ports.ts';
import { percentOf, stepHoldSeconds } from '../domain/ramp.ts';
import type { FlipFailure, Ramp, ServiceState, TargetObservation } from '../domain/state.ts';
import type { Logger } from '../telemetry/log.ts';
import { loadState, type Stored, stateKeyOf, writeConditionally } from './conditional-write.ts';
import { claimMove, recordMove, releaseClaim } from './move-writes.ts';

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
    };

/** Thrown for infrastructure failures (Route 53 unreadable): the invocation fails and alarms. */
export class FlipError extends Error {
  override name = 'FlipError';
}

/** A move prepared up to its claim, waiting for its Route 53 change. */
interface Prepared {
  readonly service: ServiceConfig;
  readonly move: Move;
  readonly milestones: Milestones;
  readonly claimed: Stored & { readonly before: ServiceState };
  readonly reading: TrafficReading;
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
  const [result] = (await deps.traffic.flipMany([flipOf(prepared)])).values();
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
  const results =
    claimed.length === 0 ? new Map<string, FlipResult>() : await deps.traffic.flipMany(claimed.map(flipOf));
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

  const found = await read();
  if (!found.ok) throw new FlipError(`Cannot move ${service.name} to the ${move.to}: ${found.message}`);
  const { reading } = found;
  // A split only a ramp explains (issue #13); any other is a hand edit the watchdog reconciles.
  if (reading.active === null && !rampUnderWay(loaded.value)) {
    throw new FlipError(
      `Cannot move ${service.name} to the ${move.to}: ${unexplainedSplit(service, reading)}`,
    );
  }
  const share = shareOf(loaded.value, move);
  const holdSeconds = stepHoldSeconds(service.policy, recordsTtl(reading));
  if (planFlip(reading, move.to, service.activeWeight, share).kind === 'already-active') {
    if (!options.dryRun) await recordMove(deps, service, move, loaded, milestones, null, holdSeconds);
    const message = `Route 53 already sends ${service.name} traffic to the ${move.to}${share ? ` at ${percentOf(move.step)} %` : ''}.`;
    return { kind: 'stopped', stop: { outcome: 'already-active', message }, state: loaded.value };
  }

  const verification = await deps.prober.probeTarget(service, move.to);
  milestones.verifiedAt = deps.clock.now();
  if (options.dryRun) {
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

function flipOf(prepared: Prepared): ZoneFlip {
  const { service, move, reading, share } = prepared;
  return { service, to: move.to, expected: reading, ...(share === undefined ? {} : { share }) };
}

/** Whether the state explains a split in Route 53: a ramp, or a ramp step on its way (issue #13). */
function rampUnderWay(state: ServiceState): boolean {
  return state.ramp !== null || state.moving?.step !== undefined || state.claim?.step !== undefined;
}

/** A ramp step's split: the active target (the one being left) keeps the rest of the weight. */
function shareOf(state: ServiceState, move: Move): FlipShare | undefined {
  return move.step === undefined ? undefined : { from: state.active, step: move.step };
}

/** A result the traffic switch did not give (a bug): treated as unknown, so the claim is kept. */
/** `readAll` answers for every service it is given; this only guards a switch that does not. */
function notRead(service: ServiceConfig): ReadResult {
  return { ok: false, reason: 'unavailable', message: `Service "${service.name}": not read` };
}

function missingResult(service: ServiceConfig): FlipResult {
  return {
    outcome: 'error',
    message: `Service "${service.name}": the traffic switch returned no result for it`,
    found: null,
    applied: 'unknown',
  };
}

/** Step 6: what the compare-and-swap's outcome means for the claim. */
async function completeMove(deps: ExecutionDeps, prepared: Prepared, result: FlipResult): Promise<Execution> {
  const { service, move, claimed, verification, milestones } = prepared;
  switch (result.outcome) {
    case 'flipped':
    case 'already-flipped': {
      milestones.changeAcceptedAt = deps.clock.now();
      const changeId = result.outcome === 'flipped' ? result.changeId : null;
      const recorded = await recordMove(
        deps,
        service,
        move,
        claimed,
        milestones,
        changeId,
        prepared.holdSeconds,
      );
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
