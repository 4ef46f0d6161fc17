/** Errors of the notifiers. They never escape `Notifier.notify`: they become failed delivery reports. */

export class NotifyError extends Error {
  override name = 'NotifyError';
}

/** An SSM parameter behind a secret could not be read. Names the path, never a value. */
export class SecretResolutionError extends NotifyError {
  override name = 'SecretResolutionError';
  readonly path: string;

  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`SSM parameter ${path} could not be read: ${problem}`, options);
    this.path = path;
  }
}
