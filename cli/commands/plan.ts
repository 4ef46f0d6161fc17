/**
 * `failoverctl plan <service>`: a dry run of the failover (or failback) function, printing the
 * exact Route 53 change batch it would submit now. Nothing is changed or recorded.
 */
import { type ServiceConfig, targetOrder } from '../../shared/domain/config.ts';
import { type Command, flagOption, servicePositional, stringOption } from '../command.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { jsonLines } from '../format.ts';
import { invokeFunction } from '../invoke.ts';
import { asFlipResponse, describeFlip, exitCodeOfOutcome } from '../outcome.ts';
import { sharesLines, sharesPhase } from '../shares-view.ts';
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
    'An active-active service (mode: active-active) is moved by the watchdog only: plan first shows',
    "the decided weight map from the state table (each target's share, drained ones at 0), a share",
    "ramping back and the weight map its next step writes, then the function's answer to the request.",
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
    const configured = ctx.checkServiceIfConfigured(service);
    const to = targetOption(configured, args.values);
    const direction = flagOption(args.values, 'failback') ? 'failback' : 'failover';
    const steps = stepsOption(stringOption(args.values, 'steps'));
    if (steps !== undefined && direction !== 'failback') {
      throw new UsageError('--steps goes with --failback: only a failback ramps.');
    }
    if (configured?.policy.activeActive !== undefined) {
      for (const line of await decidedShares(ctx, configured)) ctx.print(line);
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

/** An active-active service's decision as recorded (issue #13 item 3), before the function's answer. */
async function decidedShares(ctx: CliContext, service: ServiceConfig): Promise<string[]> {
  const settings = service.policy.activeActive;
  if (settings === undefined) return [];
  const stored = await ctx.store().load(service.name);
  if (stored === null) {
    return [
      `${service.name} is active-active and not seen by the watchdog yet: its weights are the configured ones, ` +
        targetOrder(service)
          .map((id) => `${id} ${settings.weights[id] ?? 0}`)
          .join(', '),
      '',
    ];
  }
  const state = stored.value;
  const shares = sharesLines(service, settings, state, ctx.clock.now());
  return [
    `${service.name} is active-active (${sharesPhase(state, settings, targetOrder(service))}, epoch ${state.epoch}): the watchdog decides its weight map`,
    `  weights  ${shares.weights}`,
    ...(shares.ramp === null ? [] : [`  ramp     ${shares.ramp}`]),
    ...(shares.next === null ? [] : [`  next     the next step writes ${shares.next}`]),
    '',
  ];
}

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
