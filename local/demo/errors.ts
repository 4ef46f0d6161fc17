/** Why the local demo could not start, worded for the person who ran it (no stack trace needed). */
export class DemoSetupError extends Error {
  override name = 'DemoSetupError';
}
