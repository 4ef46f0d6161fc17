/**
 * The control use case: an operator pauses or resumes automation for one service.
 *
 * Primary course:
 *  1. Parse the request strictly (`{ action, service, reason?, requestedBy? }`); find the service
 *  2. Load the state (a service never seen starts from its initial state)
 *  3. `pause` sets `paused`; `resume` clears `paused` and any operator hold (so a hold left by a
 *     planned failover or a hand edit of the records can be released without moving traffic)
 *  4. Write conditionally on the version read; on a conflict re-read and apply the change again
 *  5. Notify and audit who asked and why; nothing to change is an `already-*` outcome, still audited
 *
 * Pausing never moves traffic and never stops probing: the watchdog keeps recording health and
 * alerts `failover-blocked` when the primary fails, but it invokes no flip while paused.
 */
import { z } from 'zod';
import type { ServiceConfig } from '../domain/config.ts';
import type { AuditEvent, EventKind } from '../domain/events.ts';
import { initialState } from '../domain/initial-state.ts';
import type { Clock, DeliveryReport, Notification, Notifier, StateStore } from '../domain/ports.ts';
import { activeTarget, type Hold, type ServiceState } from '../domain/state.ts';
import type { Logger } from '../telemetry/log.ts';
import { MAX_REASON_CHARS, MAX_REQUESTED_BY_CHARS } from './flip-request.ts';
import { type ParsedRequest, parseStrictPayload } from './strict-payload.ts';

export type ControlAction = 'pause' | 'resume';
export type ControlOutcome = 'paused' | 'resumed' | 'already-paused' | 'already-running' | 'rejected';

export interface ControlRequest {
  readonly action: ControlAction;
  readonly service: string;
  readonly reason?: string;
  readonly requestedBy?: string;
}

export interface ControlResponse {
  readonly service: string;
  readonly action?: ControlAction;
  readonly outcome: ControlOutcome;
  /** One sentence for people. */
  readonly message: string;
  readonly epoch?: number;
  readonly paused?: boolean;
  /** `resume`: the operator hold it released, if there was one. */
  readonly releasedHold?: Hold;
  /** `rejected`: what was wrong with the request. */
  readonly errors?: readonly string[];
  readonly deliveries?: readonly DeliveryReport[];
}

export interface ControlDeps {
  readonly services: readonly ServiceConfig[];
  readonly store: StateStore;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Thrown when the state kept changing under every attempt: the invocation fails and can be retried. */
export class ControlError extends Error {
  override name = 'ControlError';
}

/** The notification kind of each action. */
export const CONTROL_EVENT: Readonly<Record<ControlAction, EventKind>> = {
  pause: 'paused',
  resume: 'resumed',
};

const SAVE_ATTEMPTS = 6;

const controlRequest = z.strictObject({
  action: z.enum(['pause', 'resume']),
  service: z.string().min(1).max(64),
  reason: z.string().max(MAX_REASON_CHARS).optional(),
  requestedBy: z.string().min(1).max(MAX_REQUESTED_BY_CHARS).optional(),
});

/**
 * Parse a control payload strictly: unknown fields (`__proto__` and `constructor` included) are
 * rejected, never stripped.
 * @example
 * parseControlRequest({ action: 'pause', service: 'payments-api', reason: 'db migration' })
 * // => { ok: true, request: { action: 'pause', service: 'payments-api', reason: 'db migration' } }
 */
export function parseControlRequest(payload: unknown): ParsedRequest<ControlRequest> {
  return parseStrictPayload(controlRequest, payload);
}

/**
 * Pause or resume automation for one service.
 * @example
 * await runControl(deps, { action: 'resume', service: 'payments-api', requestedBy: 'alice' });
 * // => { outcome: 'resumed', message: 'Automation for payments-api resumed ...', ... }
 */
export async function runControl(deps: ControlDeps, payload: unknown): Promise<ControlResponse> {
  const parsed = parseControlRequest(payload);
  if (!parsed.ok) return rejected(payload, parsed.errors);
  const request = parsed.request;
  const service = deps.services.find((s) => s.name === request.service);
  if (!service) {
    const known = deps.services.map((s) => s.name).join(', ');
    return rejected(payload, [`service: unknown service '${request.service}'; configured: ${known}`]);
  }
  const requestedBy = request.requestedBy ?? 'operator';
  const log = deps.log.child({ service: service.name, action: request.action, requestedBy });

  const { before, after } = await applyChange(deps, service.name, request.action);
  if (after === null) {
    const outcome: ControlOutcome = request.action === 'pause' ? 'already-paused' : 'already-running';
    const message =
      request.action === 'pause'
        ? `Automation for ${service.name} was already paused; nothing changed.`
        : `Automation for ${service.name} is already running with no operator hold; nothing changed.`;
    log.info(`control ${outcome}`, { epoch: before.epoch });
    await audit(deps, log, request, requestedBy, outcome, message, before, undefined);
    return {
      service: service.name,
      action: request.action,
      outcome,
      message,
      epoch: before.epoch,
      paused: before.paused,
    };
  }

  const releasedHold = request.action === 'resume' && before.hold !== null ? before.hold : undefined;
  const outcome: ControlOutcome = request.action === 'pause' ? 'paused' : 'resumed';
  const message = describeChange(service, request, requestedBy, before, releasedHold);
  log.warn(`control ${outcome}`, { epoch: after.epoch, releasedHold });
  const deliveries = await deps.notifier.notify(
    notification(deps, service, request, requestedBy, after, message, releasedHold),
    service.notify,
  );
  await audit(deps, log, request, requestedBy, outcome, message, after, releasedHold, deliveries);
  return {
    service: service.name,
    action: request.action,
    outcome,
    message,
    epoch: after.epoch,
    paused: after.paused,
    ...(releasedHold ? { releasedHold } : {}),
    deliveries,
  };
}

/** Steps 2-4: the conditional write, re-applied on the fresh state after a conflict. `after` null: nothing to change. */
async function applyChange(
  deps: ControlDeps,
  service: string,
  action: ControlAction,
): Promise<{ before: ServiceState; after: ServiceState | null }> {
  const stored = await deps.store.load(service);
  let current = stored ?? { value: initialState(service), version: null };
  for (let attempt = 1; attempt <= SAVE_ATTEMPTS; attempt++) {
    const next = changed(current.value, action);
    if (next === null) return { before: current.value, after: null };
    const saved = await deps.store.save(next, current.version);
    if (saved.ok) return { before: current.value, after: next };
    const fresh = saved.current ?? (await deps.store.load(service));
    current = fresh ?? { value: initialState(service), version: null };
  }
  throw new ControlError(`Could not ${action} ${service}: the state kept changing; try again.`);
}

function changed(state: ServiceState, action: ControlAction): ServiceState | null {
  if (action === 'pause') return state.paused ? null : { ...state, paused: true };
  if (!state.paused && state.hold === null) return null;
  return { ...state, paused: false, hold: null };
}

function describeChange(
  service: ServiceConfig,
  request: ControlRequest,
  requestedBy: string,
  before: ServiceState,
  releasedHold: Hold | undefined,
): string {
  const why = request.reason ? `: ${request.reason}` : '';
  if (request.action === 'pause') {
    return `Automation for ${service.name} paused by ${requestedBy}${why}. The watchdog keeps probing and alerting but will not fail over or back until resumed.`;
  }
  const parts = [];
  if (before.paused) parts.push('automation resumed');
  if (releasedHold) {
    parts.push(`the ${releasedHold.kind} hold set by ${releasedHold.by} (${releasedHold.reason}) released`);
  }
  return `${service.name}: ${parts.join(' and ')} by ${requestedBy}${why}. The watchdog may fail over or back again by itself.`;
}

function notification(
  deps: ControlDeps,
  service: ServiceConfig,
  request: ControlRequest,
  requestedBy: string,
  state: ServiceState,
  message: string,
  releasedHold: Hold | undefined,
): Notification {
  const active = activeTarget(state.phase);
  const failback =
    service.policy.failback === 'auto'
      ? 'automatic failback may follow once the primary qualifies'
      : `failback stays manual (failoverctl failback ${service.name})`;
  const next =
    request.action === 'pause'
      ? `No automatic failover for ${service.name} while paused: watch for failover-blocked alerts and fail over by hand if needed. Resume with failoverctl resume ${service.name}.`
      : active === 'secondary' && releasedHold
        ? `Traffic is on the standby and ${failback}.`
        : 'Nothing to do.';
  return {
    event: CONTROL_EVENT[request.action],
    service: service.name,
    from: active,
    to: active,
    reason: message,
    requestedBy,
    epoch: state.epoch,
    at: deps.clock.now(),
    severity: request.action === 'pause' ? 'warning' : 'info',
    next,
  };
}

async function audit(
  deps: ControlDeps,
  log: Logger,
  request: ControlRequest,
  requestedBy: string,
  outcome: ControlOutcome,
  message: string,
  state: ServiceState,
  releasedHold: Hold | undefined,
  deliveries: readonly DeliveryReport[] = [],
): Promise<void> {
  const at = deps.clock.now();
  const event: AuditEvent = {
    service: state.service,
    at,
    id: `${request.action}-${outcome}-e${state.epoch}-${at}`,
    kind: request.action,
    epoch: state.epoch,
    reason: request.reason ?? message,
    requestedBy,
    outcome,
    details: {
      message,
      ...(releasedHold ? { releasedHold } : {}),
      failedChannels: deliveries.filter((d) => !d.ok).map((d) => ({ channel: d.channel, error: d.error })),
    },
  };
  try {
    await deps.store.appendAudit(event);
  } catch (error) {
    // The state change stands; the log keeps the record.
    log.error('audit write failed', { error, event });
  }
}

function rejected(payload: unknown, errors: readonly string[]): ControlResponse {
  const service =
    typeof payload === 'object' &&
    payload !== null &&
    'service' in payload &&
    typeof payload.service === 'string'
      ? payload.service.slice(0, 64)
      : '';
  return { service, outcome: 'rejected', message: `Request rejected: ${errors.join('; ')}`, errors };
}
