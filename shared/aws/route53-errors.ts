/** How the traffic switch reads the errors the Route 53 client throws, and the error it throws itself. */

/** Reading the weighted records failed for a reason other than a missing zone (after the SDK's retries). */
export class TrafficReadError extends Error {
  override name = 'TrafficReadError';
  readonly service: string;
  readonly hostedZoneId: string;

  constructor(service: string, hostedZoneId: string, cause: unknown) {
    super(
      `Service "${service}": cannot list the records of hosted zone ${hostedZoneId}: ${describeRoute53Error(cause)}`,
      { cause },
    );
    this.service = service;
    this.hostedZoneId = hostedZoneId;
  }
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly messages?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

function shapeOf(error: unknown): SdkErrorShape {
  return error !== null && typeof error === 'object' ? (error as SdkErrorShape) : {};
}

const RETRYABLE_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'PriorRequestNotComplete',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
  'RequestTimeout',
  'TimeoutError',
]);
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/**
 * Throttling (`Throttling`, `PriorRequestNotComplete`, HTTP 429), any 5xx and connection failures:
 * errors after which the same request may succeed. Whether it was applied is unknown, so a caller
 * re-reads before sending a change again.
 */
export function isRetryableRoute53Error(error: unknown): boolean {
  const { name, code, $metadata } = shapeOf(error);
  const status = typeof $metadata?.httpStatusCode === 'number' ? $metadata.httpStatusCode : 0;
  return (
    (typeof name === 'string' && RETRYABLE_NAMES.has(name)) ||
    (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) ||
    status === 429 ||
    (status >= 500 && status <= 599)
  );
}

/**
 * Whether Route 53 itself answered (an HTTP status came back), as opposed to a client-side timeout
 * or a broken connection, after which a change that reached Route 53 may still be applied.
 */
export function answeredByRoute53(error: unknown): boolean {
  const { name, $metadata } = shapeOf(error);
  if (name === 'TimeoutError' || name === 'RequestTimeout') return false;
  return typeof $metadata?.httpStatusCode === 'number' && $metadata.httpStatusCode > 0;
}

export function isNoSuchHostedZone(error: unknown): boolean {
  return shapeOf(error).name === 'NoSuchHostedZone';
}

/** `Name (HTTP 400): message`, with an `InvalidChangeBatch`'s individual messages. */
export function describeRoute53Error(error: unknown): string {
  const { name, message, messages, $metadata } = shapeOf(error);
  const label = typeof name === 'string' && name !== '' ? name : 'Error';
  const status = typeof $metadata?.httpStatusCode === 'number' ? ` (HTTP ${$metadata.httpStatusCode})` : '';
  const text = typeof message === 'string' && message !== '' ? message : String(error);
  const details = Array.isArray(messages) && messages.length > 0 ? ` [${messages.join('; ')}]` : '';
  return `${label}${status}: ${text}${details}`;
}
