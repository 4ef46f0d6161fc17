/**
 * `failoverctl pause` and `failoverctl resume`: invoke the control function. Pausing stops the
 * watchdog from flipping (it keeps probing and alerting); resuming also releases any operator hold.
 */
import type { ControlAction } from '../../shared/controller/control.ts';
import { type Command, type CommandArgs, servicePositional, stringOption } from '../command.ts';
import type { CliContext } from '../context.ts';
import { invokeFunction } from '../invoke.ts';
import { asControlResponse, describeControl, exitCodeOfOutcome } from '../outcome.ts';

const OPTIONS = { reason: { type: 'string' }, as: { type: 'string' } } as const;

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'stop automatic failover and failback for a service (probing goes on)',
  usage: 'failoverctl pause <service> [--reason TEXT] [--as NAME]',
  details: [
    'Invokes the control function. While paused the watchdog probes, records and alerts',
    '(failover-blocked) but never flips; operators can still fail over and back by hand.',
    '--reason TEXT   why (recorded and sent with the notification)',
    '--as NAME       who is asking (default $USER@hostname)',
  ],
  options: OPTIONS,
  positionals: ['service'],
  run: (ctx, args) => control(ctx, 'pause', args),
};

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'resume automation for a service and release any operator hold',
  usage: 'failoverctl resume <service> [--reason TEXT] [--as NAME]',
  details: [
    'Invokes the control function: clears the pause and any hold (left by a planned failover or',
    'a hand edit of the records) without moving traffic. The watchdog then decides by itself again.',
    '--reason TEXT   why (recorded and sent with the notification)',
    '--as NAME       who is asking (default $USER@hostname)',
  ],
  options: OPTIONS,
  positionals: ['service'],
  run: (ctx, args) => control(ctx, 'resume', args),
};

async function control(ctx: CliContext, action: ControlAction, args: CommandArgs): Promise<number> {
  const service = servicePositional(args);
  ctx.checkServiceIfConfigured(service);
  const reason = stringOption(args.values, 'reason');
  const answer = await invokeFunction(ctx, 'control', {
    action,
    service,
    requestedBy: ctx.requestedBy(stringOption(args.values, 'as')),
    ...(reason === undefined ? {} : { reason }),
  });
  const response = asControlResponse(answer);
  for (const line of describeControl(response)) ctx.print(line);
  return exitCodeOfOutcome(response.outcome);
}
