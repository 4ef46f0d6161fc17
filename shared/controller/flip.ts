/**
 * The failover and failback use case: parse a request into a `Move`, carry it out exactly once
 * (`move-execution.ts`), and tell people and the record what happened (`move-report.ts`).
 *
 *   payload ─parse─> Move ─executeMove─> Execution ─tell─> notification, audit, metric ─> FlipResponse
 */
import { randomUUID } from 'node:crypto';
import { type ServiceConfig, type TargetId, targetOrder } from '../domain/config.ts';
import type { Direction, Move } from '../domain/move.ts';
import type { Clock, DeliveryReport, Notifier, Prober, StateStore, TrafficSwitch } from '../domain/ports.ts';
import { failbackStepsOf, firstStep, percentOf } from '../domain/ramp.ts';
import type { TargetObservation } from '../domain/state.ts';
import type { Logger } from '../telemetry/log.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { type FlipRequest, parseFlipRequest } from './flip-request.ts';
import { type Execution, executeMove, type Milestones } from './move-execution.ts';
import { failedReasons, type MoveOutcome, tell } from './move-report.ts';

export type { Direction } from '../domain/move.ts';
export { FlipError } from './move-execution.ts';

import { FlipError } from './move-execution.ts';
export type FlipOutcome = MoveOutcome;

export interface FlipTimings {
  /** When the watchdog decided (automatic flips), epoch ms. */
  readonly decidedAt?: number;
  readonly startedAt: number;
  readonly verifiedAt?: number;
  readonly changeAcceptedAt?: number;
  readonly recordedAt?: number;
  readonly inSyncAt?: number;
  readonly totalMs: number;
}

export interface FlipResponse {
  readonly service: string;
  readonly outcome: FlipOutcome;
  /** One sentence for people. */
  readonly message: string;
  readonly from?: TargetId;
  readonly to?: TargetId;
  readonly epoch?: number;
  readonly changeId?: string | null;
  /** Follows this flip through logs, audit events and notifications. */
  readonly correlationId?: string;
  readonly timings?: FlipTimings;
  /** `rejected`: what was wrong with the request. */
  readonly errors?: readonly string[];
  /** `dry-run`: the exact change batch a flip would submit now. */
  readonly change?: { readonly Comment: string; readonly Changes: readonly unknown[] };
  /** The fresh probe of the target, when one was made. */
  readonly verification?: TargetObservation;
  readonly deliveries?: readonly DeliveryReport[];
}

export interface FlipDeps {
  readonly services: readonly ServiceConfig[];
  readonly store: StateStore;
  readonly traffic: TrafficSwitch;
  readonly prober: Prober;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** How long to wait for INSYNC before reporting (bounded by the caller's remaining time). */
  readonly inSyncWaitMs?: number;
  readonly stage?: string;
  /** The invocation's id (Lambda's request id): the correlation id of an operator's request. */
  readonly requestId?: string;
  /** Aborted when the invocation's time is nearly up (middy's backstop). */
  readonly signal?: AbortSignal;
}

/** Which function a request came through: only the forced-flip function may carry `force`. */
export interface FlipEntry {
  readonly allowForce: boolean;
}

/**
 * Why `force` is refused by the failover and failback functions: forcing skips the re-check of the
 * target, so it has its own function, and IAM can let operators flip without letting them force.
 */
export const FORCE_ELSEWHERE =
  "force: the failover and failback functions do not accept force; forced flips go through the 'forced' " +
  'function (failoverctl failover|failback --force), which IAM grants separately';

/**
 * @example
 * await runFlip(deps, 'failover', { service: 'payments-api', reason: 'db upgrade', requestedBy: 'alice' });
 * // => { outcome: 'failed-over', from: 'primary', to: 'secondary', epoch: 4, ... }
 */
export async function runFlip(
  deps: FlipDeps,
  direction: Direction,
  payload: unknown,
  entry: FlipEntry = { allowForce: false },
): Promise<FlipResponse> {
  const startedAt = deps.clock.now();
  const parsed = parseFlipRequest(payload);
  if (!parsed.ok) {
    return rejected(
      typeof payload === 'object' && payload && 'service' in payload ? payload.service : '',
      parsed.errors,
    );
  }
  const request = parsed.request;
  if (request.force && !entry.allowForce) return rejected(request.service, [FORCE_ELSEWHERE]);
  const resolved = resolveMove(deps, direction, request);
  if ('outcome' in resolved) return resolved;
  const { service, move } = resolved;
  const milestones: Milestones = {};
  const dryRun = request.dryRun ?? false;
  const execution = await executeMove(
    { ...deps, log: moveLog(deps, move) },
    service,
    move,
    { dryRun },
    milestones,
  );
  const answer = await respond(deps, { service, move, milestones, startedAt, dryRun }, execution);
  if ('error' in answer) throw answer.error;
  return answer.response;
}

/** The service and the move a parsed request asks for, or why it is rejected. */
export function resolveMove(
  deps: Pick<FlipDeps, 'services' | 'requestId'>,
  direction: Direction,
  request: FlipRequest,
): { readonly service: ServiceConfig; readonly move: Move } | FlipResponse {
  const service = deps.services.find((s) => s.name === request.service);
  if (!service) {
    const known = deps.services.map((s) => s.name).join(', ');
    return rejected(request.service, [`service: unknown service '${request.service}'; configured: ${known}`]);
  }
  const order = targetOrder(service);
  const to = request.to ?? (direction === 'failover' ? order[1] : order[0]);
  if (to === undefined || !order.includes(to)) {
    return rejected(request.service, [
      `to: '${String(to)}' is not a target of ${service.name}; its targets: ${order.join(', ')}`,
    ]);
  }
  const activeActive = service.policy.activeActive !== undefined;
  // Active-active (issue #13 item 3): the watchdog decides whole weight maps; a move of all the
  // traffic by hand would leave the recorded map behind, and an active-passive move cannot land there.
  if (activeActive && (request.epoch === undefined || request.weights === undefined)) {
    return rejected(request.service, [
      request.epoch === undefined
        ? `${service.name} is active-active: its weights follow each target's health, and a failover or failback ` +
          'by hand is not supported yet; pause it (failoverctl pause) and set the weights in Route 53, then resume'
        : `weights: ${service.name} is active-active, and the watchdog's request carries no weight map`,
    ]);
  }
  if (!activeActive && request.weights !== undefined) {
    return rejected(request.service, [
      `weights: ${service.name} is active-passive; a weight map is not accepted`,
    ]);
  }
  const move = moveOf(direction, to, order[0] ?? to, request, deps.requestId, service);
  // A ramp step splits the weights (issue #13); `dataPlane: only` never changes a weight (issue #12)
  // and its signal allows whole targets: the split could land nowhere. The config refuses a ramp for
  // such a service; this catches `--steps` by hand and a ramp under way when the mode was changed.
  if (move.step !== undefined && service.dataPlane.mode === 'only') {
    return rejected(request.service, [
      `steps: ${service.name} has dataPlane: only, which never changes a weight, so a failback cannot be split ` +
        `into steps (${move.step.steps.join('/')} %); fail back with --steps 100, or set dataPlane: fallback`,
    ]);
  }
  return { service, move };
}

export function moveLog(deps: Pick<FlipDeps, 'log'>, move: Move): Logger {
  return deps.log.child({
    service: move.service,
    direction: move.direction,
    requestedBy: move.requestedBy,
    correlationId: move.correlationId,
  });
}

/**
 * How a move ended, as its caller sees it: told to people and the record (`move-report.ts`), and
 * answered. `error`: the invocation must fail after this answer — the change may or may not have
 * landed (the claim is kept for the watchdog), or a step of the move threw.
 */
export async function respond(
  deps: FlipDeps,
  done: {
    readonly service: ServiceConfig;
    readonly move: Move;
    readonly milestones: Milestones;
    readonly startedAt: number;
    readonly dryRun: boolean;
  },
  execution: Execution,
): Promise<{ readonly response: FlipResponse; readonly error?: unknown }> {
  const { service, move, milestones, startedAt } = done;
  const from =
    execution.kind === 'moved'
      ? execution.from
      : execution.kind === 'failed'
        ? execution.claimed.active
        : execution.state.active;
  const answer = (outcome: FlipOutcome, message: string, epoch: number, changeId: string | null = null) => ({
    service: service.name,
    outcome,
    message,
    from,
    to: move.to,
    epoch,
    changeId,
    correlationId: move.correlationId,
    timings: { ...milestones, startedAt, totalMs: deps.clock.now() - startedAt },
  });
  if (execution.kind === 'dry-run') {
    const { plan, verification, state } = execution;
    const health = verification.ok ? 'healthy' : `NOT healthy (${failedReasons(verification)})`;
    const what =
      move.step === undefined
        ? `move ${service.name} from the ${from} to the ${move.to}`
        : `start a gradual failback of ${service.name} in steps ${move.step.steps.join('/')} %: first ${percentOf(move.step)} % to the ${move.to}, the rest on the ${from}`;
    const message =
      `A ${move.direction} would ${what}; the ${move.to} is ` +
      `${health}${verification.ok || move.force ? '' : ', so it would be refused'}. Nothing was changed.`;
    const change = plan.kind === 'flip' ? { change: { Comment: plan.comment, Changes: plan.changes } } : {};
    return { response: { ...answer('dry-run', message, state.epoch), ...change, verification } };
  }
  if (execution.kind === 'stopped' && done.dryRun) {
    return { response: answer(execution.stop.outcome, execution.stop.message, execution.state.epoch) };
  }
  const told = await tell({ ...deps, log: moveLog(deps, move) }, service, move, execution, milestones);
  const verification =
    execution.kind === 'moved' || execution.kind === 'refused'
      ? { verification: execution.verification }
      : {};
  const delivered =
    execution.kind === 'stopped' || execution.kind === 'changed-underneath'
      ? {}
      : { deliveries: told.deliveries };
  const response = {
    ...answer(told.outcome, told.message, told.epoch, told.changeId),
    ...verification,
    ...delivered,
  };
  // Unknown whether Route 53 took it: fail the invocation (its alarm fires); the watchdog settles it.
  if (execution.kind === 'failed' && execution.applied === 'unknown') {
    return { response, error: new FlipError(told.message, { cause: execution.failure }) };
  }
  return { response };
}

/**
 * The request as a move: the watchdog's (with its epoch, evidence and ramp step), or an operator's.
 * An operator's failback ramps by the service's `failbackSteps`, or by the request's own `steps`
 * (`[100]`: all at once); a forced one always moves all the traffic (issue #13).
 */
function moveOf(
  direction: Direction,
  to: TargetId,
  first: TargetId,
  request: FlipRequest,
  requestId: string | undefined,
  service: ServiceConfig,
): Move {
  const automatic = request.epoch !== undefined;
  const step = automatic
    ? (request.step ?? null)
    : direction === 'failback' && !(request.force ?? false)
      ? firstStep(request.steps ?? failbackStepsOf(service.policy))
      : null;
  return {
    ...(step === null ? {} : { step }),
    service: request.service,
    direction,
    to,
    first,
    ...(request.epoch !== undefined ? { epoch: request.epoch } : {}),
    requestedBy: request.requestedBy ?? (automatic ? 'watchdog' : 'operator'),
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
    force: request.force ?? false,
    ...(automatic && request.evidence ? { evidence: request.evidence } : {}),
    ...(automatic && request.weights ? { weights: request.weights } : {}),
    correlationId: request.correlationId ?? requestId ?? randomUUID(),
  };
}

function rejected(service: unknown, errors: readonly string[]): FlipResponse {
  return {
    service: typeof service === 'string' ? service.slice(0, 64) : '',
    outcome: 'rejected',
    message: `Request rejected: ${errors.join('; ')}`,
    errors,
  };
}
