/**
 * `failoverctl plan <service>`: a dry run of the failover (or failback) function, printing the
 * exact Route 53 change batch it would submit now. Nothing is changed or recorded.
 */
import { type Command, flagOption, servicePositional, stringOption } from '../command.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { jsonLines } from '../format.ts';
import { invokeFunction } from '../invoke.ts';
import { asFlipResponse, describeFlip, exitCodeOfOutcome } from '../outcome.ts';
import { stepsOption } from '../steps-option.ts';
import { targetOption } from '../target-option.ts';

export const planCommand: Command = {
  name: 'plan',
  summary: 'show the exact Route 53 change a failover (or failback) would make now',
  usage: 'failoverctl plan <service> [--failback] [--to TARGET] [--steps LIST] [--as NAME]',
  details: [
    'Invokes the failover function with dryRun: it reads the records, re-checks the target and',
    'answers with the change batch it would submit (DELETE each record as read, CREATE it with the',
    'new weight). Nothing is changed, recorded or notified.',
    '--failback    plan the failback instead of the failover',
    '--to TARGET   the target id to move to (default: the second target for a failover, the first',
    '              for a failback)',
    "--steps LIST  with --failback: percents instead of the policy's failbackSteps (100: no ramp);",
    '              a ramped failback shows the change of its first step (e.g. 10/90)',
  ],
  options: {
    failback: { type: 'boolean' },
    to: { type: 'string' },
    steps: { type: 'string' },
    as: { type: 'string' },
  },
  positionals: ['service'],
  async run(ctx: CliContext, args) {
    const service = servicePositional(args);
    const to = targetOption(ctx.checkServiceIfConfigured(service), args.values);
    const direction = flagOption(args.values, 'failback') ? 'failback' : 'failover';
    const steps = stepsOption(stringOption(args.values, 'steps'));
    if (steps !== undefined && direction !== 'failback') {
      throw new UsageError('--steps goes with --failback: only a failback ramps.');
    }
    const answer = await invokeFunction(ctx, direction, {
      service,
      ...(steps === undefined ? {} : { steps }),
      ...(to === undefined ? {} : { to }),
      dryRun: true,
      requestedBy: ctx.requestedBy(stringOption(args.values, 'as')),
    });
    const response = asFlipResponse(answer);
    for (const line of describeFlip(response)) ctx.print(line);
    if (response.change) for (const line of describeChangeBatch(response.change)) ctx.print(line);
    return exitCodeOfOutcome(response.outcome);
  },
};

interface RecordSetShape {
  readonly Name?: unknown;
  readonly Type?: unknown;
  readonly SetIdentifier?: unknown;
  readonly Weight?: unknown;
  readonly TTL?: unknown;
  readonly ResourceRecords?: readonly { readonly Value?: unknown }[];
  readonly AliasTarget?: { readonly DNSName?: unknown };
}

/** The change batch one line per change, then verbatim as JSON. */
export function describeChangeBatch(change: {
  readonly Comment: string;
  readonly Changes: readonly unknown[];
}): string[] {
  const lines = ['', 'Route 53 change batch (all or nothing; any DELETE that no longer matches rejects it):'];
  for (const entry of change.Changes) {
    const { Action, ResourceRecordSet } = entry as { Action?: unknown; ResourceRecordSet?: RecordSetShape };
    const set = ResourceRecordSet ?? {};
    const values = set.AliasTarget
      ? `alias ${String(set.AliasTarget.DNSName)}`
      : (set.ResourceRecords ?? []).map((r) => String(r.Value)).join(', ');
    lines.push(
      `  ${String(Action).padEnd(6)} ${String(set.Name)} ${String(set.Type)} set=${String(set.SetIdentifier)} ` +
        `weight=${String(set.Weight)}${set.TTL === undefined ? '' : ` ttl=${String(set.TTL)}`} -> ${values}`,
    );
  }
  lines.push('', 'Exact ChangeBatch:', ...jsonLines(change));
  return lines;
}
