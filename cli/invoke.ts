/**
 * Invoking a deployed function the way the watchdog's decisions are carried out, but synchronously
 * (`RequestResponse`), so fencing, audit and notifications are exactly those of automatic actions
 * and the operator sees the outcome.
 */
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { CliContext, ControllerFunction } from './context.ts';
import { functionEnvVar } from './context.ts';
import { OperationError } from './errors.ts';

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
