/**
 * Fault injection: errors instead of calls, errors after an applied change, latency, changes held PENDING.
 */
import { INJECTABLE_ERRORS, type InjectableError, injectedError, type Route53ApiError } from './errors.ts';

/** The operations served, named as the SDK names them. */
export const OPERATIONS = [
  'CreateHostedZone',
  'GetHostedZone',
  'ListHostedZones',
  'ListHostedZonesByName',
  'ListResourceRecordSets',
  'ChangeResourceRecordSets',
  'GetChange',
  'CreateHealthCheck',
  'GetHealthCheck',
  'GetHealthCheckStatus',
  'ListHealthChecks',
  'DeleteHealthCheck',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface Route53Faults {
  /** The next `count` calls (of `operation`, or any) fail with this error instead of running. */
  failNext(count: number, error: InjectableError, operation?: string): void;
  /**
   * The next `count` calls (of `operation`, or any) are dropped: the connection is closed without an
   * answer and nothing runs — to the client, a call that may or may not have landed.
   */
  dropNext(count: number, operation?: string): void;
  /** The next `count` ChangeResourceRecordSets calls are APPLIED and then answered with HTTP 500 (the SDK then retries the same batch). */
  failAfterApply(count: number): void;
  /** Add latency (ms) before answering (all operations, or one). */
  setLatency(ms: number, operation?: string): void;
  /** Keep changes PENDING (GetChange never reports INSYNC) until released. */
  holdPending(hold: boolean): void;
  reset(): void;
}

/** The server's side of the faults: what to do with the call at hand. */
export interface FaultPlan extends Route53Faults {
  /** The error this call must fail with (consuming one injected failure), if any. */
  takeFailure(operation: Operation): Route53ApiError | undefined;
  /** True when this applied change must be answered with a 500 (consuming one). */
  takeFailAfterApply(): boolean;
  /** True when this call must be dropped without an answer (consuming one). */
  takeDrop(operation: Operation): boolean;
  latencyFor(operation: Operation): number;
  /** A plain description, for the control API. */
  snapshot(): FaultSnapshot;
}

export interface FaultSnapshot {
  failNext: { remaining: number; error: InjectableError; operation: Operation | null }[];
  failAfterApply: number;
  dropNext: { remaining: number; operation: Operation | null }[];
  latencyMs: { all: number; byOperation: Record<string, number> };
  holdPending: boolean;
}

/** Thrown for a fault request that names an unknown operation or error, or a bad count. */
export class FaultRequestError extends Error {
  override name = 'FaultRequestError';
}

export function createFaultPlan(onHold: (hold: boolean) => void): FaultPlan {
  let failures: { remaining: number; error: InjectableError; operation: Operation | null }[] = [];
  let afterApply = 0;
  let latencyAll = 0;
  let latencyByOperation = new Map<Operation, number>();
  let held = false;
  let drops: { remaining: number; operation: Operation | null }[] = [];

  return {
    failNext(count, error, operation) {
      const n = checkCount('count', count);
      if (!(INJECTABLE_ERRORS as readonly string[]).includes(error)) {
        throw new FaultRequestError(`error '${String(error)}' is not one of ${INJECTABLE_ERRORS.join(', ')}`);
      }
      if (n > 0) failures.push({ remaining: n, error, operation: checkOperation(operation) });
    },
    failAfterApply(count) {
      afterApply += checkCount('count', count);
    },
    dropNext(count, operation) {
      const n = checkCount('count', count);
      if (n > 0) drops.push({ remaining: n, operation: checkOperation(operation) });
    },
    setLatency(ms, operation) {
      const value = checkCount('ms', ms);
      const op = checkOperation(operation);
      if (op === null) latencyAll = value;
      else latencyByOperation.set(op, value);
    },
    holdPending(hold) {
      if (typeof hold !== 'boolean')
        throw new FaultRequestError(`hold must be true or false, got ${String(hold)}`);
      held = hold;
      onHold(hold);
    },
    reset() {
      failures = [];
      afterApply = 0;
      drops = [];
      latencyAll = 0;
      latencyByOperation = new Map();
      if (held) {
        held = false;
        onHold(false);
      }
    },
    takeFailure(operation) {
      const rule = failures.find(
        (f) => f.remaining > 0 && (f.operation === null || f.operation === operation),
      );
      if (rule === undefined) return undefined;
      rule.remaining -= 1;
      failures = failures.filter((f) => f.remaining > 0);
      return injectedError(rule.error);
    },
    takeFailAfterApply() {
      if (afterApply === 0) return false;
      afterApply -= 1;
      return true;
    },
    takeDrop(operation) {
      const rule = drops.find((d) => d.remaining > 0 && (d.operation === null || d.operation === operation));
      if (rule === undefined) return false;
      rule.remaining -= 1;
      drops = drops.filter((d) => d.remaining > 0);
      return true;
    },
    latencyFor(operation) {
      return latencyByOperation.get(operation) ?? latencyAll;
    },
    snapshot() {
      return {
        failNext: failures.map((f) => ({ ...f })),
        failAfterApply: afterApply,
        dropNext: drops.map((d) => ({ ...d })),
        latencyMs: { all: latencyAll, byOperation: Object.fromEntries(latencyByOperation) },
        holdPending: held,
      };
    },
  };
}

function checkCount(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new FaultRequestError(`${field} must be a whole number >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkOperation(operation: unknown): Operation | null {
  if (operation === undefined || operation === null) return null;
  const known = OPERATIONS.find((op) => op === operation);
  if (known === undefined) {
    throw new FaultRequestError(`operation '${String(operation)}' is not one of ${OPERATIONS.join(', ')}`);
  }
  return known;
}
