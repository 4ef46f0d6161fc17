/**
 * Invoking a deployed function the way the watchdog's decisions are carried out, but synchronously
 * (`RequestResponse`), so fencing, audit and notifications are exactly those of automatic actions
 * and the operator sees the outcome. When the function has no free slot (reserved concurrency 1,
 * a storm of flips running) the operator gets "busy: ... retry in N s", never a raw throttle error.
 */
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { targetOrder } from '../shared/domain/config.ts';
import { isFailback } from '../shared/domain/state.ts';
import type { CliContext, ControllerFunction } from './context.ts';
import { functionEnvVar } from './context.ts';
import { OperationError } from './errors.ts';

/**
 * How long one run holds a function's slot, at most, for the retry estimate: a flip waits up to
 * 30 s for Route 53 INSYNC (functions/flip-handler.ts) before it records and notifies; pause and
 * resume write one item and notify.
 */
const SLOT_SECONDS: Readonly<Record<ControllerFunction, number>> = {
  failover: 30,
  failback: 30,
  forced: 30,
  control: 5,
};
/** Lambda's longest backoff for a throttled async event: a later retry estimate says nothing more. */
const MAX_RETRY_SECONDS = 300;
/** The direction of the watchdog's moves each function carries; null: none of them. */
const PENDING_DIRECTION: Readonly<Record<ControllerFunction, 'failover' | 'failback' | null>> = {
  failover: 'failover',
  failback: 'failback',
  forced: null,
  control: null,
};

/**
 * The function had no free slot: Lambda throttled the invocation (429), even after the SDK's
 * retries. Nothing was done; the same command can be run again. Exit code 1, like every AWS failure.
 */
export class FunctionBusyError extends OperationError {
  override name = 'FunctionBusyError';
  readonly retryAfterSeconds: number;
  /** Flips of this direction decided and not yet recorded (null when the state could not be read). */
  readonly pendingFlips: number | null;
  constructor(
    message: string,
    retryAfterSeconds: number,
    pendingFlips: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
    this.pendingFlips = pendingFlips;
  }
}

/** What every function answers: an outcome and a sentence (plus per-function fields). */
export interface FunctionAnswer {
  readonly outcome: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/**
 * Invoke `fn` with `payload` and wait for its answer.
 * Throws `OperationError` when the function is missing, fails, or answers something unexpected.
 * @example
 * const answer = await invokeFunction(ctx, 'control', { action: 'pause', service: 'payments-api' });
 */
export async function invokeFunction(
  ctx: CliContext,
  fn: ControllerFunction,
  payload: Readonly<Record<string, unknown>>,
): Promise<FunctionAnswer> {
  const name = ctx.functionName(fn);
  let out: InvokeCommandOutput;
  try {
    out = await ctx.lambda().send(
      new InvokeCommand({
        FunctionName: name,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
      ctx.io.signal ? { abortSignal: ctx.io.signal } : {},
    );
  } catch (error) {
    if (isThrottle(error)) throw await busy(ctx, fn, name, error);
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      throw new OperationError(
        `The ${fn} function '${name}' does not exist here. Check --stage (now '${ctx.globals.stage}') and ` +
          `--region, deploy with 'serverless deploy --stage ${ctx.globals.stage}', or set ${functionEnvVar(fn)}.`,
        { cause: error },
      );
    }
    throw error;
  }
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
  if (out.FunctionError) {
    throw new OperationError(
      `The ${fn} function '${name}' failed: ${functionErrorMessage(text)}. ` +
        `See 'failoverctl status' and 'failoverctl history <service>'; its logs are in /aws/lambda/${name}.`,
    );
  }
  const answer = parseAnswer(text);
  if (answer === null) {
    throw new OperationError(
      `The ${fn} function '${name}' answered something unexpected: ${text.slice(0, 300)}`,
    );
  }
  return answer;
}

interface ThrottleShape {
  readonly name?: unknown;
  readonly retryAfterSeconds?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** Lambda's 429 `TooManyRequestsException` (concurrency or request rate), or any throttle the SDK reports. */
function isThrottle(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const shape = error as ThrottleShape;
  return (
    shape.name === 'TooManyRequestsException' ||
    shape.name === 'ThrottlingException' ||
    shape.name === 'Throttling' ||
    shape.$metadata?.httpStatusCode === 429
  );
}

/**
 * The operator's answer to a throttle: how many flips hold or wait for the function's slot (from
 * the state table: services whose flip was decided and not yet recorded), and when to try again.
 */
async function busy(
  ctx: CliContext,
  fn: ControllerFunction,
  name: string,
  error: unknown,
): Promise<FunctionBusyError> {
  const pending = await pendingFlips(ctx, fn);
  const told = Number((error as ThrottleShape).retryAfterSeconds);
  const running = Math.max(1, pending ?? 1);
  const retry =
    Number.isFinite(told) && told > 0
      ? Math.ceil(told)
      : Math.min(MAX_RETRY_SECONDS, running * SLOT_SECONDS[fn]);
  const what =
    fn === 'control'
      ? 'the control function is handling another request'
      : pending === null
        ? 'other flips are running'
        : `${running} ${running === 1 ? 'flip is' : 'flips are'} running`;
  return new FunctionBusyError(
    `busy: ${what}; retry in ${retry} s. Lambda refused to start '${name}' (no free slot: its reserved ` +
      `concurrency is in use); nothing was changed. Watch progress with 'failoverctl status'.`,
    retry,
    fn === 'control' ? null : pending,
    { cause: error },
  );
}

/** Services whose `fn` flip was decided and not yet recorded; null when that cannot be read. */
async function pendingFlips(ctx: CliContext, fn: ControllerFunction): Promise<number | null> {
  const direction = PENDING_DIRECTION[fn];
  if (direction === null) return null;
  try {
    const services = ctx.config().services;
    const states = await ctx.store().loadAll(services.map((s) => s.name));
    return services.filter((service) => {
      const state = states.get(service.name)?.value;
      if (state === undefined || state.moving === null) return false;
      const back = isFailback(targetOrder(service), state.active, state.moving.to);
      return (back ? 'failback' : 'failover') === direction;
    }).length;
  } catch {
    return null; // the count is a courtesy: no config file or no table access must not hide "busy"
  }
}

function functionErrorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { errorMessage?: unknown; errorType?: unknown };
    const message = typeof body.errorMessage === 'string' ? body.errorMessage : text;
    return typeof body.errorType === 'string' ? `${message} (${body.errorType})` : message;
  } catch {
    return text.slice(0, 300) || 'no details';
  }
}

function parseAnswer(text: string): FunctionAnswer | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const record = body as Record<string, unknown>;
  if (typeof record.outcome !== 'string' || typeof record.message !== 'string') return null;
  return { ...record, outcome: record.outcome, message: record.message };
}
