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
import type { EventKind } from '../domain/events.ts';
import type { Clock, DeliveryReport, Notifier, StateStore } from '../domain/ports.ts';
import type { Hold, ServiceState } from '../domain/state.ts';
import type { Logger } from '../telemetry/log.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { stateKeyOf, writeConditionally } from './conditional-write.ts';
import { freeText, MAX_REASON_CHARS, requester } from './flip-request.ts';
import { type Report, report } from './report.ts';
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
  readonly metrics: Metrics;
}

/** The notification kind of each action. */
export const CONTROL_EVENT: Readonly<Record<ControlAction, EventKind>> = {
  pause: 'paused',
  resume: 'resumed',
};

const controlRequest = z.strictObject({
  action: z.enum(['pause', 'resume']),
  service: z.string().min(1).max(64),
  reason: freeText(MAX_REASON_CHARS).optional(),
  requestedBy: requester.optional(),
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

  const out = await writeConditionally(
    deps.store,
    stateKeyOf(service),
    null,
    (state) => changed(state, request.action),
    request.action,
  );
  const before = out.written ? out.before : out.state;
  if (!out.written) {
    const outcome: ControlOutcome = request.action === 'pause' ? 'already-paused' : 'already-running';
    const message =
      request.action === 'pause'
        ? `Automation for ${service.name} was already paused; nothing changed.`
        : `Automation for ${service.name} is already running with no operator hold; nothing changed.`;
    log.info(`control ${outcome}`, { epoch: before.epoch });
    await report(
      { ...deps, log },
      { service, audit: auditOf(request, requestedBy, outcome, message, before.epoch) },
    );
    return {
      service: service.name,
      action: request.action,
      outcome,
      message,
      epoch: before.epoch,
      paused: before.paused,
    };
  }

  const after = out.state;
  const releasedHold = request.action === 'resume' && before.hold !== null ? before.hold : undefined;
  const outcome: ControlOutcome = request.action === 'pause' ? 'paused' : 'resumed';
  const message = describeChange(service, request, requestedBy, before, releasedHold);
  log.warn(`control ${outcome}`, { epoch: after.epoch, releasedHold });
  const deliveries = await report(
    { ...deps, log },
    {
      service,
      notification: notification(service, request, requestedBy, after, message, releasedHold),
      audit: auditOf(request, requestedBy, outcome, message, after.epoch, releasedHold),
    },
  );
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
  service: ServiceConfig,
  request: ControlRequest,
  requestedBy: string,
  state: ServiceState,
  message: string,
  releasedHold: Hold | undefined,
): NonNullable<Report['notification']> {
  const active = state.active;
  const onStandby = active !== service.targets[0]?.id;
  const failback =
    service.policy.failback === 'auto'
      ? `automatic failback may follow once the ${service.targets[0]?.id} qualifies`
      : `failback stays manual (failoverctl failback ${service.name})`;
  const next =
    request.action === 'pause'
      ? `No automatic failover for ${service.name} while paused: watch for failover-blocked alerts and fail over by hand if needed. Resume with failoverctl resume ${service.name}.`
      : onStandby && releasedHold
        ? `Traffic is on the standby and ${failback}.`
        : 'Nothing to do.';
  return {
    event: CONTROL_EVENT[request.action],
    from: active,
    to: active,
    reason: message,
    requestedBy,
    epoch: state.epoch,
    severity: request.action === 'pause' ? 'warning' : 'info',
    next,
  };
}

function auditOf(
  request: ControlRequest,
  requestedBy: string,
  outcome: ControlOutcome,
  message: string,
  epoch: number,
  releasedHold?: Hold,
): Report['audit'] {
  return {
    kind: request.action,
    epoch,
    reason: request.reason ?? message,
    requestedBy,
    outcome,
    details: { message, ...(releasedHold ? { releasedHold } : {}) },
  };
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
