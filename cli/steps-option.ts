/** `--steps`: the percents of a gradual failback (issue #13), for `failback` and `plan --failback`. */
import { validSteps } from '../shared/domain/ramp.ts';
import { UsageError } from './errors.ts';

/**
 * `--steps 10,50,100` as a list of percents (issue #13); undefined when not given.
 *
 * @example
 * stepsOption('100'); // [100]
 */
export function stepsOption(given: string | undefined): number[] | undefined {
  if (given === undefined) return undefined;
  const steps = given.split(',').map((part) => Number(part.trim()));
  if (!validSteps(steps)) {
    throw new UsageError(
      `--steps ${given}: give whole percents, rising, ending in 100 (e.g. 10,50,100; 100 moves all the traffic at once).`,
    );
  }
  return steps;
}
