/**
 * `failoverctl history <service>`: the audit trail of one service, newest first.
 */
import type { AuditEvent } from '../../shared/domain/events.ts';
import { type Command, flagOption, integerOption, servicePositional } from '../command.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK } from '../errors.ts';
import { isoSeconds, jsonLines } from '../format.ts';

export const historyCommand: Command = {
  name: 'history',
  summary: 'audit events of a service, newest first',
  usage: 'failoverctl history <service> [--limit N] [--json]',
  details: [
    'Every flip, refusal, decision, notice, reconciliation, pause and resume, with who and why.',
    '--limit N   how many events (1..1000, default 20)',
    '--json      print the events as JSON',
  ],
  options: { limit: { type: 'string' }, json: { type: 'boolean' } },
  positionals: ['service'],
  async run(ctx: CliContext, args) {
    const service = servicePositional(args);
    const limit = integerOption(args.values, 'limit', { min: 1, max: 1000, fallback: 20 });
    ctx.checkServiceIfConfigured(service);
    const events = await ctx.store().history(service, limit);
    if (flagOption(args.values, 'json')) {
      for (const line of jsonLines(events)) ctx.print(line);
      return EXIT_OK;
    }
    if (events.length === 0) {
      ctx.print(`No recorded events for ${service} in table ${ctx.tableName()}.`);
      return EXIT_OK;
    }
    for (const event of events) for (const line of describeEvent(event)) ctx.print(line);
    return EXIT_OK;
  },
};

function describeEvent(event: AuditEvent): string[] {
  const move = event.from !== undefined && event.to !== undefined ? `  ${event.from} -> ${event.to}` : '';
  const outcome = event.outcome === undefined ? '' : ` ${event.outcome}`;
  const head = `${isoSeconds(event.at)}  ${event.kind}${outcome}  epoch ${event.epoch}${move}  by ${event.requestedBy}`;
  const lines = [head];
  if (event.reason) lines.push(`    ${event.reason}`);
  if (event.changeId) lines.push(`    Route 53 change ${event.changeId}`);
  const { error, recordsMoved } = event.details ?? {};
  if (typeof error === 'string') {
    const moved = recordsMoved === 'no' ? 'the records did not move' : 'whether the records moved is unknown';
    lines.push(`    failed: ${error} (${moved})`);
  }
  return lines;
}
