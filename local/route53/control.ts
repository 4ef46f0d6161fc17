/**
 * The control API beside the Route 53 API, for people and other processes (curl, the local demo):
 *   POST /_local/faults  {"action":"failNext","count":2,"error":"Throttling","operation":"ChangeResourceRecordSets"}
 *   POST /_local/reset   clears every fault (records and zones stay)
 *   GET  /_local/state   zones and record sets, faults, calls and applied changes as JSON
 */
import { INJECTABLE_ERRORS, type InjectableError } from './errors.ts';
import { type FaultPlan, FaultRequestError } from './faults.ts';

export interface ControlResponse {
  readonly status: number;
  readonly body: unknown;
}

const USAGE =
  'POST /_local/faults {"action": "failNext"|"dropNext"|"failAfterApply"|"setLatency"|"holdPending"|"reset", ...}, POST /_local/reset, GET /_local/state';

export function handleControl(
  method: string,
  pathname: string,
  body: string,
  faults: FaultPlan,
  state: () => unknown,
): ControlResponse {
  try {
    if (method === 'GET' && pathname === '/_local/state') return { status: 200, body: state() };
    if (method === 'POST' && pathname === '/_local/reset') {
      faults.reset();
      return { status: 200, body: { ok: true, faults: faults.snapshot() } };
    }
    if (method === 'POST' && pathname === '/_local/faults') {
      applyFault(parseJson(body), faults);
      return { status: 200, body: { ok: true, faults: faults.snapshot() } };
    }
    return { status: 404, body: { error: `no control endpoint ${method} ${pathname}; use ${USAGE}` } };
  } catch (error) {
    if (error instanceof FaultRequestError) return { status: 400, body: { error: error.message } };
    throw error;
  }
}

function parseJson(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new FaultRequestError(`the body must be a JSON object, got ${JSON.stringify(body.slice(0, 100))}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FaultRequestError('the body must be a JSON object with an "action"');
  }
  return Object.fromEntries(Object.entries(value));
}

function applyFault(request: Record<string, unknown>, faults: FaultPlan): void {
  const { action } = request;
  switch (action) {
    case 'failNext':
      faults.failNext(
        numberField(request, 'count'),
        errorField(request),
        optionalString(request, 'operation'),
      );
      return;
    case 'dropNext':
      faults.dropNext(numberField(request, 'count'), optionalString(request, 'operation'));
      return;
    case 'failAfterApply':
      faults.failAfterApply(numberField(request, 'count'));
      return;
    case 'setLatency':
      faults.setLatency(numberField(request, 'ms'), optionalString(request, 'operation'));
      return;
    case 'holdPending':
      if (typeof request.hold !== 'boolean') throw new FaultRequestError('"hold" must be true or false');
      faults.holdPending(request.hold);
      return;
    case 'reset':
      faults.reset();
      return;
    default:
      throw new FaultRequestError(`unknown action ${JSON.stringify(action)}; use ${USAGE}`);
  }
}

function numberField(request: Record<string, unknown>, field: string): number {
  const value = request[field];
  if (typeof value !== 'number')
    throw new FaultRequestError(`"${field}" must be a number, got ${JSON.stringify(value)}`);
  return value;
}

function optionalString(request: Record<string, unknown>, field: string): string | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new FaultRequestError(`"${field}" must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function errorField(request: Record<string, unknown>): InjectableError {
  const value = request.error;
  const known = INJECTABLE_ERRORS.find((error) => error === value);
  if (known === undefined) {
    throw new FaultRequestError(
      `"error" must be one of ${INJECTABLE_ERRORS.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return known;
}
