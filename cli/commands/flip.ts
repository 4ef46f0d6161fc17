/**
 * `failoverctl failover` and `failoverctl failback`: invoke the deployed flip function, exactly
 * as the watchdog's decisions are carried out (same fencing, audit and notifications).
 */
import type { Direction } from '../../shared/controller/flip.ts';
import { type Command, flagOption, servicePositional, stringOption } from '../command.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { invokeFunction } from '../invoke.ts';
import { asFlipResponse, describeFlip, exitCodeOfOutcome } from '../outcome.ts';
import { stepsOption } from '../steps-option.ts';
import { targetOption } from '../target-option.ts';
import { describeChangeBatch } from './plan.ts';

export const failoverCommand: Command = {
  name: 'failover',
  summary: 'planned failover: move traffic to the standby (sets a hold)',
  usage: 'failoverctl failover <service> --reason TEXT [--to TARGET] [--force] [--dry-run] [--as NAME]',
  details: [
    'Invokes the failover function. It re-checks the standby right before the flip and refuses',
    '(exit 1) if the standby is unhealthy. A planned failover sets a hold: no automatic failback',
    'until someone runs failoverctl failback (or failoverctl resume).',
    '--reason TEXT   why (required; recorded and sent with the notification)',
    '--to TARGET     the target id to move to (default: the second target in preference order)',
    '--force         flip even if the standby fails its re-check (recorded as a forced hold); invokes',
    "                the separate 'forced' function, which IAM grants apart from planned flips",
    '--dry-run       show what would change; change nothing (same as failoverctl plan)',
    '--as NAME       who is asking (default $USER@hostname)',
  ],
  options: {
    reason: { type: 'string' },
    to: { type: 'string' },
    force: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    as: { type: 'string' },
  },
  positionals: ['service'],
  run: (ctx, args) => {
    if (stringOption(args.values, 'reason') === undefined && !flagOption(args.values, 'dry-run')) {
      throw new UsageError(
        'A failover needs --reason "why": it is recorded and sent to the on-call channels.',
      );
    }
    return flip(ctx, 'failover', args.values, servicePositional(args));
  },
};

export const failbackCommand: Command = {
  name: 'failback',
  summary: 'return traffic to the primary (releases any hold)',
  usage:
    'failoverctl failback <service> [--reason TEXT] [--to TARGET] [--steps LIST] [--force] [--dry-run] [--as NAME]',
  details: [
    'Invokes the failback function. It re-checks the primary right before the flip and refuses',
    '(exit 1) if the primary is unhealthy. A failback releases any hold and any flap freeze.',
    "With the service's failbackSteps (e.g. 10,50,100) it lands the first step and the watchdog",
    'carries the ramp on, each step after its hold; a failure rolls all traffic back to the standby.',
    "--steps LIST    percents for this failback instead of the policy's, e.g. 25,100; 100 skips the ramp",
    '--reason TEXT   why (recorded and sent with the notification)',
    '--to TARGET     the target id to return to (default: the first target, the primary)',
    "--force         flip even if the primary fails its re-check (invokes the 'forced' function)",
    '--dry-run       show what would change; change nothing',
    '--as NAME       who is asking (default $USER@hostname)',
  ],
  options: {
    reason: { type: 'string' },
    to: { type: 'string' },
    steps: { type: 'string' },
    force: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    as: { type: 'string' },
  },
  positionals: ['service'],
  run: (ctx, args) => flip(ctx, 'failback', args.values, servicePositional(args)),
};

async function flip(
  ctx: CliContext,
  direction: Direction,
  values: Parameters<typeof stringOption>[0],
  service: string,
): Promise<number> {
  const to = targetOption(ctx.checkServiceIfConfigured(service), values);
  const reason = stringOption(values, 'reason');
  const steps = stepsOption(stringOption(values, 'steps'));
  const request = {
    service,
    ...(steps === undefined ? {} : { steps }),
    requestedBy: ctx.requestedBy(stringOption(values, 'as')),
    ...(to === undefined ? {} : { to }),
    ...(reason === undefined ? {} : { reason }),
    ...(flagOption(values, 'dry-run') ? { dryRun: true } : {}),
  };
  if (flagOption(values, 'force') && reason === undefined) {
    throw new UsageError(`A forced ${direction} needs --reason "why": it is recorded with the forced hold.`);
  }
  // Forcing has its own function, so IAM can allow planned flips without allowing force.
  const answer = flagOption(values, 'force')
    ? await invokeFunction(ctx, 'forced', { direction, ...request })
    : await invokeFunction(ctx, direction, request);
  const response = asFlipResponse(answer);
  for (const line of describeFlip(response)) ctx.print(line);
  if (response.change) for (const line of describeChangeBatch(response.change)) ctx.print(line);
  if (response.outcome === 'failed-over') {
    ctx.print(`  A hold is set: no automatic failback until 'failoverctl failback ${service}'.`);
  }
  return exitCodeOfOutcome(response.outcome);
}
