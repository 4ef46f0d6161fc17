/**
 * The CLI's errors and exit codes: 0 ok, 1 an operation was refused or failed, 2 usage or config.
 * Every message is plain words for the person at the terminal; `--debug` adds the stack.
 */
import { ConfigError, ConfigurationError, describeIssue } from '../shared/config/index.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The command line is wrong (unknown command, option or service; missing argument): exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An operation could not be carried out (AWS error, missing function, DNS never moved): exit 1. */
export class OperationError extends Error {
  override name = 'OperationError';
}

/** The exit code an error means. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError || error instanceof ConfigurationError ? EXIT_USAGE : EXIT_FAILED;
}

interface ErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

/**
 * The lines to print for an error: a configuration error's headline and one line per issue, or
 * one line. Each is printed through `shown`, so a line break inside an issue or an AWS message is
 * shown as `\n`, never taken as a line of its own.
 *
 * @example
 * errorLines(new OperationError('DNS never moved')); // ['DNS never moved']
 */
export function errorLines(error: unknown): string[] {
  if (error instanceof ConfigError) {
    return [error.headline, ...error.issues.map((issue) => `  - ${describeIssue(issue)}`)];
  }
  return [describeError(error)];
}

/**
 * One readable sentence for any error the CLI may meet, AWS SDK errors included.
 * @example
 * describeError(new Error('connect ECONNREFUSED 127.0.0.1:4566')); // 'Cannot connect to 127.0.0.1:4566 ...'
 */
export function describeError(error: unknown): string {
  if (error instanceof UsageError || error instanceof OperationError || error instanceof ConfigurationError) {
    return error.message;
  }
  const shape: ErrorShape = error !== null && typeof error === 'object' ? (error as ErrorShape) : {};
  const name = typeof shape.name === 'string' ? shape.name : '';
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  const refused = connectionRefused(error);
  if (refused !== null) {
    return `Cannot connect to ${refused}: is the endpoint right (AWS_ENDPOINT_URL_* variables) and running?`;
  }
  if (/Region is missing/i.test(message)) return 'No AWS region: pass --region or set AWS_REGION.';
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return `No usable AWS credentials: ${message}. Log in (aws sso login, AWS_PROFILE) and try again.`;
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException') {
    return `AWS refused the request (${name}): ${message}`;
  }
  return name === '' || name === 'Error' ? message : `${message} (${name})`;
}

function connectionRefused(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const shape = current as ErrorShape;
    if (shape.code === 'ECONNREFUSED' && typeof shape.message === 'string') {
      return /ECONNREFUSED (\S+)/.exec(shape.message)?.[1] ?? 'the endpoint';
    }
    current = shape.cause;
  }
  return null;
}
