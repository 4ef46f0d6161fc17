/**
 * What the stand-ins' `serve.ts` command lines share: a numeric option that must be a whole number,
 * refused with exit 2 and the option's name otherwise.
 */

/**
 * @example
 * const port = wholeOption('port', values.port); // '--port must be a whole number >= 0, got ...' and exit 2
 */
export function wholeOption(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${option} must be a whole number >= 0, got '${value}'\n`);
    process.exit(2);
  }
  return n;
}
