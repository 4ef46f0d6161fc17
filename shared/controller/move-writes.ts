/**
 * The state writes of a move's steps — claim, release, record — each a pure rule of
 * `domain/move.ts` applied through the one conditional write.
 */
import type { ServiceConfig } from '../domain/config.ts';
import { targetOrder } from '../domain/config.ts';
import {
  claim,
  fence,
  isAutomatic,
  type Move,
  record,
  recordThroughDataPlane,
  release,
  stillClaimable,
} from '../domain/move.ts';
import type { FlipFailure, ServiceState } from '../domain/state.ts';
import { signalOf } from '../domain/traffic-signal.ts';
import { type Stored, stateKeyOf, writeConditionally } from './conditional-write.ts';
import type { Execution, ExecutionDeps, Milestones } from './move-execution.ts';

/** Step 4: the conditional write that lets exactly one invocation go on to Route 53. */
export async function claimMove(
  deps: ExecutionDeps,
  service: ServiceConfig,
  move: Move,
  loaded: Stored,
): Promise<(Stored & { readonly before: ServiceState }) | Execution> {
  const now = deps.clock.now();
  // Whatever changed meanwhile (a pause, a hold) must still let this move through; anything that
  // moved or claimed the service stops it.
  const out = await writeConditionally(
    deps.store,
    stateKeyOf(service),
    loaded,
    (s) => (stillClaimable(s, loaded.value) && fence(s, move) === null ? claim(s, move, now) : null),
    'claim a move of',
    4,
  );
  if (out.written) return { value: out.state, version: out.version, before: out.before };
  const stop = fence(out.state, move) ?? {
    outcome: 'stale' as const,
    message:
      out.state.epoch !== loaded.value.epoch
        ? `${service.name} moved to epoch ${out.state.epoch} while this move to the ${move.to} was starting; nothing done.`
        : `Another invocation is already moving ${service.name} to the ${move.to}; nothing done.`,
  };
  return { kind: 'stopped', stop, state: out.state };
}

export async function releaseClaim(
  deps: ExecutionDeps,
  service: ServiceConfig,
  move: Move,
  claimed: Stored,
  failure: FlipFailure | null,
): Promise<void> {
  await writeConditionally(
    deps.store,
    stateKeyOf(service),
    claimed,
    (s) => release(s, claimed.value, move, failure),
    'release the claim on',
  );
}

/** The state after the move, whoever else wrote meanwhile (a watchdog round, a reconciliation). */
export async function recordMove(
  deps: ExecutionDeps,
  service: ServiceConfig,
  move: Move,
  base: Stored,
  milestones: Milestones,
  changeId: string | null,
  landed: {
    /** A ramp step's hold (issue #13, see `stepHoldSeconds`). */
    readonly holdSeconds?: number;
    /** How it landed (issue #12): `data-plane` marks the weights pending. Never a ramp step. */
    readonly mechanism?: 'control-plane' | 'data-plane';
  } = {},
): Promise<ServiceState> {
  const now = deps.clock.now();
  const { holdSeconds, mechanism = 'control-plane' } = landed;
  const out = await writeConditionally(
    deps.store,
    stateKeyOf(service),
    base,
    (s) =>
      mechanism === 'data-plane'
        ? recordThroughDataPlane(s, base.value.epoch, move, now)
        : record(s, base.value.epoch, move, now, holdSeconds),
    'record the move of',
  );
  milestones.recordedAt = deps.clock.now();
  deps.log.info('flip recorded', {
    epoch: out.state.epoch,
    changeId,
    automatic: isAutomatic(move),
    mechanism,
  });
  return out.state;
}

/**
 * Publish the recorded decision of a `dataPlane` service at once (issue #12), after the record (the
 * fence: a stale invocation never gets here). A failure does not undo the move: the watchdog
 * publishes the recorded decision every round.
 */
export async function publishSignal(
  deps: ExecutionDeps,
  service: ServiceConfig,
  recorded: ServiceState,
): Promise<void> {
  if (service.dataPlane.mode === 'off') return;
  const signal = signalOf(recorded, targetOrder(service));
  if (signal === null) return;
  try {
    if (deps.trafficSignal === undefined) throw new Error('no CloudWatch client for the data-plane signal');
    await deps.trafficSignal.publish([signal]);
  } catch (error) {
    deps.log.error('could not publish the data-plane signal; the watchdog publishes it next round', {
      error,
      epoch: recorded.epoch,
    });
  }
}
