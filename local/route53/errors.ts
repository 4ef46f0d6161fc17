/**
 * Route 53 API errors as the service sends them: an HTTP status, `Sender`/`Receiver`, a code the SDK
 * turns into `err.name`, and a message.
 */

export class Route53ApiError extends Error {
  override name = 'Route53ApiError';
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }

  /** `Sender` for 4xx (the caller's fault), `Receiver` for 5xx. */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** Errors the fault injector can raise in place of a call. */
export const INJECTABLE_ERRORS = [
  'Throttling',
  'PriorRequestNotComplete',
  'InternalFailure',
  'ServiceUnavailable',
  'AccessDenied',
] as const;
export type InjectableError = (typeof INJECTABLE_ERRORS)[number];

export function injectedError(code: InjectableError): Route53ApiError {
  switch (code) {
    case 'Throttling':
      return new Route53ApiError('Throttling', 400, 'Rate exceeded');
    case 'PriorRequestNotComplete':
      return new Route53ApiError(
        'PriorRequestNotComplete',
        400,
        'The request was rejected because Route 53 was still processing a prior request.',
      );
    case 'InternalFailure':
      return internalFailure();
    case 'ServiceUnavailable':
      return new Route53ApiError('ServiceUnavailable', 503, 'Service Unavailable');
    case 'AccessDenied':
      // A refusal that no retry changes: the caller's role may not change these records.
      return new Route53ApiError(
        'AccessDenied',
        403,
        'User is not authorized to perform: route53:ChangeResourceRecordSets on this hosted zone',
      );
  }
}

export function internalFailure(): Route53ApiError {
  return new Route53ApiError('InternalFailure', 500, 'An internal error occurred. Try your request again.');
}

export function invalidInput(message: string): Route53ApiError {
  return new Route53ApiError('InvalidInput', 400, message);
}

/** All messages of a rejected batch, bracketed and comma-separated like the real service. */
export function invalidChangeBatch(messages: readonly string[]): Route53ApiError {
  return new Route53ApiError('InvalidChangeBatch', 400, `[${messages.join(', ')}]`);
}

export function noSuchHostedZone(id: string): Route53ApiError {
  return new Route53ApiError('NoSuchHostedZone', 404, `No hosted zone found with ID: ${id}`);
}

export function noSuchChange(id: string): Route53ApiError {
  return new Route53ApiError('NoSuchChange', 404, `Could not find resource with ID: ${id}`);
}
