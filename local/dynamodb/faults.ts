/**
 * Fault injection for the local DynamoDB: errors instead of calls (in DynamoDB's own JSON error
 * shape), latency, and calls that are applied but never answered (the client times out not knowing).
 */

/** The errors `failNext` can inject, with the wire shape DynamoDB gives each. */
export const DYNAMO_INJECTABLE_ERRORS = {
  ProvisionedThroughputExceededException: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message:
      'The level of configured provisioned throughput for the table was exceeded. ' +
      'Consider increasing your provisioning level with the UpdateTable API.',
  },
  ThrottlingException: {
    status: 400,
    type: 'com.amazon.coral.availability#ThrottlingException',
    message: 'Rate of requests exceeds the allowed throughput.',
  },
  /** A multi-Region strongly consistent table: another Region wrote the same item at once (retryable). */
  ReplicatedWriteConflictException: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException',
    message: 'One or more items in this request are being modified by a request in another Region.',
  },
  InternalServerError: {
    status: 500,
    type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  },
} as const;

export type DynamoInjectableError = keyof typeof DYNAMO_INJECTABLE_ERRORS;

/** The operations a fault may name (the `X-Amz-Target` suffix, as the SDK names commands). */
export const DYNAMO_OPERATIONS = [
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'GetItem',
  'ListTables',
  'PutItem',
  'Query',
  'Scan',
  'UpdateItem',
  'UpdateTable',
] as const;
export type DynamoOperation = (typeof DYNAMO_OPERATIONS)[number];

export interface DynamoFaults {
  /** The next `count` calls (of `operation`, or any) fail with this error; nothing is applied. */
  failNext(count: number, error: DynamoInjectableError, operation?: DynamoOperation): void;
  /** Add latency (ms) before a call is handled (all operations, or one). */
  setLatency(ms: number, operation?: DynamoOperation): void;
  /**
   * The next `count` calls (of `operation`, or any) are handed to dynalite, so they ARE applied,
   * and then never answered: the client can only time out, not knowing whether the write landed.
   */
  applyThenTimeout(count: number, operation?: DynamoOperation): void;
  /** Clears every fault. Tables and items stay. */
  reset(): void;
}

/** What to do with the call at hand. */
export type FaultVerdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'fail'; readonly error: DynamoInjectableError }
  | { readonly kind: 'apply-then-timeout' };

/** The server's side: each call consumes at most one injected fault. */
export interface DynamoFaultPlan extends DynamoFaults {
  take(operation: string): FaultVerdict;
  latencyFor(operation: string): number;
}

/** A fault request naming an unknown error or operation, or a bad count. */
export class DynamoFaultRequestError extends Error {
  override name = 'DynamoFaultRequestError';
}

interface Rule {
  remaining: number;
  readonly operation: DynamoOperation | null;
  readonly verdict: FaultVerdict;
}

export function createDynamoFaultPlan(): DynamoFaultPlan {
  let rules: Rule[] = [];
  let latencyAll = 0;
  let latencyByOperation = new Map<string, number>();

  const add = (count: number, verdict: FaultVerdict, operation: DynamoOperation | undefined) => {
    const n = checkCount('count', count);
    if (n > 0) rules.push({ remaining: n, operation: checkOperation(operation), verdict });
  };

  return {
    failNext(count, error, operation) {
      if (!Object.hasOwn(DYNAMO_INJECTABLE_ERRORS, error)) {
        throw new DynamoFaultRequestError(
          `error '${String(error)}' is not one of ${Object.keys(DYNAMO_INJECTABLE_ERRORS).join(', ')}`,
        );
      }
      add(count, { kind: 'fail', error }, operation);
    },
    applyThenTimeout(count, operation) {
      add(count, { kind: 'apply-then-timeout' }, operation);
    },
    setLatency(ms, operation) {
      const value = checkCount('ms', ms);
      const op = checkOperation(operation);
      if (op === null) latencyAll = value;
      else latencyByOperation.set(op, value);
    },
    reset() {
      rules = [];
      latencyAll = 0;
      latencyByOperation = new Map();
    },
    take(operation) {
      const rule = rules.find((r) => r.remaining > 0 && (r.operation === null || r.operation === operation));
      if (rule === undefined) return { kind: 'pass' };
      rule.remaining -= 1;
      rules = rules.filter((r) => r.remaining > 0);
      return rule.verdict;
    },
    latencyFor(operation) {
      return latencyByOperation.get(operation) ?? latencyAll;
    },
  };
}

function checkCount(what: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    throw new DynamoFaultRequestError(`${what} must be a whole number >= 0, got ${String(value)}`);
  }
  return value;
}

function checkOperation(operation: string | undefined): DynamoOperation | null {
  if (operation === undefined) return null;
  const known = DYNAMO_OPERATIONS.find((op) => op === operation);
  if (known === undefined) {
    throw new DynamoFaultRequestError(
      `operation '${operation}' is not one of ${DYNAMO_OPERATIONS.join(', ')}`,
    );
  }
  return known;
}
