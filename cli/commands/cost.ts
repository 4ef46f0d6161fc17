/**
 * `failoverctl cost`: what this configuration costs a month on AWS, next to Route 53 health checks
 * with the same probing. Needs no AWS access.
 */
import type { Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { estimateMonthlyCost } from '../cost-model.ts';
import { EXIT_OK } from '../errors.ts';
import { table, usd } from '../format.ts';

export const costCommand: Command = {
  name: 'cost',
  summary: 'monthly AWS cost of the configuration vs Route 53 health checks',
  usage: 'failoverctl cost [--config FILE]',
  details: [
    'Estimates one stage: Lambda (arm64 GB-s, requests, INIT), DynamoDB on-demand, CloudWatch',
    'custom metrics, alarms and log ingestion; then the Route 53 health checks that would probe the',
    'same checks as often (per check, with HTTPS, string match, fast interval and latency options).',
    "With `vantages`, adds each extra region's own stack and the MRSC state table's verdict and",
    'replicated writes as lines of their own.',
    'Prints every assumption. List prices, us-east-1.',
  ],
  options: {},
  positionals: [],
  async run(ctx: CliContext) {
    const config = ctx.config();
    const estimate = estimateMonthlyCost(config);
    const regions = config.vantages?.regions;
    const where = regions === undefined ? '' : `, in ${regions.length} vantage regions`;
    ctx.print(`Monthly cost of ${config.file} (${config.services.length} services), one stage${where}:`);
    ctx.print();
    const controller = table([
      ['failover-controller', 'what', 'USD/month'],
      ...estimate.controller.map((line) => [line.item, line.detail, usd(line.usd)]),
      ['Total', '', usd(estimate.controllerUsd)],
    ]);
    for (const line of controller) ctx.print(line);
    ctx.print();
    const healthChecks = table([
      ['Route 53 health checks', 'options', 'AWS endpoint', 'other endpoint'],
      ...estimate.healthChecks.map((line) => [
        `${line.service} ${line.target}: ${line.check}`,
        line.options.length > 0 ? line.options.join(', ') : '-',
        usd(line.awsUsd),
        usd(line.otherUsd),
      ]),
      [
        `Total (${estimate.healthChecks.length} checks)`,
        '',
        usd(estimate.healthChecksUsd.aws),
        usd(estimate.healthChecksUsd.other),
      ],
    ]);
    for (const line of healthChecks) ctx.print(line);
    ctx.print();
    ctx.print('Assumptions:');
    for (const line of estimate.assumptions) ctx.print(`  - ${line}`);
    return EXIT_OK;
  },
};
