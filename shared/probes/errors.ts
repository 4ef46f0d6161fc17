/** A prober was built with options it cannot work with (a programming or deployment error). */
export class ProberSetupError extends Error {
  override readonly name = 'ProberSetupError';
}
