/**
 * The `--to TARGET` option of the flip commands (failover, failback, plan).
 */
import type { ServiceConfig, TargetId } from '../shared/domain/config.ts';
import { type OptionValues, stringOption } from './command.ts';
import { UsageError } from './errors.ts';

/**
 * `--to`, checked against the service's targets when the configuration is at hand (else the
 * deployed function judges it). Absent: the function picks (the second target for a failover,
 * the first for a failback).
 *
 * @example
 * targetOption(service, { to: 'dr' }); // 'dr'
 * targetOption(service, { to: 'nowhere' }); // UsageError: --to 'nowhere' is not a target of tri; its targets: primary, secondary, dr.
 * targetOption(null, { to: 'nowhere' }); // 'nowhere' (no configuration at hand: the function judges)
 */
export function targetOption(service: ServiceConfig | null, values: OptionValues): TargetId | undefined {
  const to = stringOption(values, 'to');
  if (to === undefined || service === null) return to;
  const ids = service.targets.map((target) => target.id);
  if (!ids.includes(to)) {
    throw new UsageError(`--to '${to}' is not a target of ${service.name}; its targets: ${ids.join(', ')}.`);
  }
  return to;
}
