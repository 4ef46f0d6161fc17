/**
 * `failoverctl validate`: load the configuration as the functions will, print every problem with
 * its field path (exit 2), or a summary of what it configures.
 */
import type { ControllerConfig, ServiceConfig } from '../../shared/domain/config.ts';
import { checkLabel } from '../../shared/probes/check-label.ts';
import type { Command } from '../command.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK } from '../errors.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check the configuration file and summarize it',
  usage: 'failoverctl validate [--config FILE]',
  details: [
    'Loads the file exactly as the functions do at cold start (env references are resolved',
    'from this shell). Every problem is printed with its field path and line; exit 2 if there is any.',
  ],
  options: {},
  positionals: [],
  async run(ctx: CliContext) {
    // A ConfigError propagates: main prints every issue and exits 2.
    const config = ctx.config();
    for (const line of summarize(config)) ctx.print(line);
    return EXIT_OK;
  },
};

/** The configuration in a few lines per service. */
export function summarize(config: ControllerConfig): string[] {
  const groups = Object.entries(config.notifiers);
  const lines = [
    `${config.file} is valid: ${plural(config.services.length, 'service')}, ${plural(groups.length, 'notifier group')}.`,
  ];
  for (const service of config.services) lines.push('', ...describeService(service));
  if (groups.length > 0) {
    lines.push('', 'Notifier groups:');
    for (const [name, channels] of groups) lines.push(`  ${name}: ${channels.map((c) => c.kind).join(', ')}`);
  }
  return lines;
}

function describeService(service: ServiceConfig): string[] {
  const p = service.policy;
  return [
    `${service.name}: ${service.recordName} ${service.recordType} in hosted zone ${service.hostedZoneId} (active weight ${service.activeWeight})`,
    ...targetLines(service),
    `  probe every ${p.probeIntervalSeconds} s; down after ${p.failureThreshold} failed rounds, up after ` +
      `${p.recoveryThreshold} good ones; failback ${p.failback} (dwell ${p.minDwellSeconds} s, at most ` +
      `${p.maxAutoFailbacksPerHour} automatic per hour); metrics ${service.metrics}`,
    `  notify: ${service.notify.length > 0 ? service.notify.join(', ') : 'nobody'}`,
  ];
}

/** One line per target, most preferred first, ids aligned: `  primary   'blue': http GET ...`. */
function targetLines(service: ServiceConfig): string[] {
  const width = Math.max(9, ...service.targets.map((target) => target.id.length));
  return service.targets.map(
    (target) =>
      `  ${target.id.padEnd(width)} '${target.setIdentifier}': ${target.checks.map(checkLabel).join('; ')}`,
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
