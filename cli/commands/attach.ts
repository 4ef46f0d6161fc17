/**
 * `failoverctl attach <service> [--dry-run]` (issue #12): put each target's data-plane health check
 * on its weighted record, once, with one compare-and-swap batch (cli/attach-plan.ts).
 */
import { AttachError, applyAttach, planAttach } from '../attach-plan.ts';
import { type Command, flagOption, servicePositional } from '../command.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK, OperationError } from '../errors.ts';
import { jsonLines } from '../format.ts';

export const attachCommand: Command = {
  name: 'attach',
  summary: "attach the data-plane health checks to a service's weighted records (once)",
  usage: 'failoverctl attach <service> [--dry-run]',
  details: [
    'For a service with dataPlane: fallback | only, after the deploy made its alarms and health checks:',
    "finds each target's health check by the alarm it follows (<stack>-<service>-<target>-traffic-allowed),",
    'then changes the records in one batch: each DELETEd exactly as read and CREATEd with HealthCheckId.',
    'Refuses a record that already carries another health check. Running it again changes nothing.',
    '--dry-run   print the exact change batch and change nothing',
  ],
  options: { 'dry-run': { type: 'boolean' } },
  positionals: ['service'],
  async run(ctx: CliContext, args) {
    const service = ctx.service(servicePositional(args));
    const region =
      ctx.globals.region ?? ctx.io.env.AWS_REGION ?? ctx.io.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const stack = `failover-controller-${ctx.globals.stage}`;
    let plan: Awaited<ReturnType<typeof planAttach>>;
    try {
      plan = await planAttach({ route53: ctx.route53(), traffic: ctx.traffic() }, service, { stack, region });
    } catch (error) {
      if (error instanceof AttachError) throw new OperationError(error.message);
      throw error;
    }
    for (const [target, id] of Object.entries(plan.healthChecks))
      ctx.print(`${service.name}/${target}: health check ${id}`);
    if (plan.changes.length === 0) {
      ctx.print(`Every record of ${service.name} already carries its health check; nothing to change.`);
      return EXIT_OK;
    }
    if (flagOption(args.values, 'dry-run')) {
      ctx.print(`Would send to hosted zone ${plan.hostedZoneId} (nothing was changed):`);
      // A line at a time: print() shows a line break inside one line as `\n`.
      for (const line of jsonLines({ Comment: plan.comment, Changes: plan.changes })) ctx.print(line);
      return EXIT_OK;
    }
    let changeId: string | null;
    try {
      changeId = await applyAttach(ctx.route53(), plan);
    } catch (error) {
      // The compare-and-swap refused: a record changed after it was read (a flip, say). Not undone.
      if (!(error instanceof Error) || error.name !== 'InvalidChangeBatch') throw error;
      throw new OperationError(
        `The records of ${service.name} changed after attach read them (a flip or a hand edit), so Route 53 ` +
          `refused the batch and nothing was changed: run failoverctl attach ${service.name} again to read them ` +
          `afresh. Route 53 said: ${error.message}`,
        { cause: error },
      );
    }
    ctx.print(`Attached: Route 53 accepted change ${changeId ?? '(no id)'} for ${service.name}.`);
    return EXIT_OK;
  },
};
