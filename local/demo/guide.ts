/**
 * What the demo prints once it is up: where everything runs, what to try (curl, dig) and how to
 * point `failoverctl` at it from another shell. Pure text, so the tests can read it too.
 */
import { relative } from 'node:path';
import {
  type ControllerConfig,
  type ServiceConfig,
  type TargetId,
  targetOf,
} from '../../shared/domain/config.ts';
import type { DemoBackend } from '../backend/index.ts';
import { describePropagation, type Propagation } from '../route53/index.ts';
import type { DemoDataPlane } from './data-plane.ts';
import type { SeedPlan } from './seed.ts';

export interface GuideInput {
  readonly config: ControllerConfig;
  readonly source: string;
  readonly seed: SeedPlan;
  readonly endpoints: { readonly dynamodb: string; readonly route53: string; readonly lambda: string };
  readonly dnsPort: number;
  /** The local Route 53's propagation model, said at start: every timing the demo shows depends on it. */
  readonly propagation: Propagation;
  readonly webUrl: string;
  readonly table: string;
  readonly functions: readonly string[];
  readonly dynamoDir: string | undefined;
  readonly backends: {
    readonly primary?: DemoBackend;
    readonly standby?: DemoBackend;
    readonly tertiary?: DemoBackend;
  };
  /** With `--vantages`: the network view, the canary, and each vantage's configuration file. */
  readonly vantages?: {
    readonly network: { readonly url: string };
    readonly canary: { readonly url: string };
    readonly configs: readonly { readonly vantage: string; readonly file: string }[];
  } | null;
  /** Issue #12: the `dataPlane` services and the health checks attached to their records. */
  readonly dataPlane?: readonly DemoDataPlane[];
  readonly runSeconds: number;
  readonly envFile: string;
  readonly exports: Readonly<Record<string, string>>;
  readonly handlerLogFile: string | undefined;
}

export function guide(input: GuideInput): string {
  const { config, seed, backends } = input;
  const lines: string[] = [
    'failover-controller local demo',
    `  configuration  ${config.file}${input.source === config.file ? '' : ` (from ${shown(input.source)})`}`,
    `  Route 53       ${input.endpoints.route53} (API), 127.0.0.1:${input.dnsPort} (DNS over UDP)`,
    `  propagation    ${describePropagation(input.propagation)}${input.propagation.kind === 'instant' ? '; try --propagation realistic' : ''}`,
    `  DynamoDB       ${input.endpoints.dynamodb}, table ${input.table}, ${input.dynamoDir === undefined ? 'in memory' : `on disk in ${input.dynamoDir}`}`,
    `  Lambda         ${input.endpoints.lambda}: ${input.functions.join(', ')}`,
    input.vantages == null
      ? `  watchdog       functions/watchdog.ts, one scheduled run every ${input.runSeconds} s`
      : `  watchdogs      functions/watchdog.ts as ${input.vantages.configs.length} vantages (${input.vantages.configs.map((c) => c.vantage).join(', ')}), each one scheduled run every ${input.runSeconds} s; quorum ${config.vantages?.quorum ?? '?'}`,
    ...(input.vantages == null
      ? []
      : [
          `  network view   ${input.vantages.network.url}: each vantage reaches the backends by its own path (GET ${input.vantages.network.url}/vantage lists who is cut off)`,
          `  canary         ${input.vantages.canary.url}/health (a vantage that reaches no target and not this is blind: it abstains)`,
          ...input.vantages.configs.map((c) => `  ${c.vantage.padEnd(14)} ${c.file}`),
        ]),
    `  web view       ${input.webUrl} (read-only: the state below, live; open it in a browser)`,
  ];
  if (input.handlerLogFile !== undefined)
    lines.push(`  handler logs   ${input.handlerLogFile} (JSON logs and metrics; tail -f it)`);
  lines.push('');
  for (const { service, records } of seed.services) {
    // Ids line up under the longest (at least as wide as `secondary`).
    const width = Math.max(9, ...records.map((record) => record.target.length));
    lines.push(
      `${service.name}: ${service.recordName} ${service.recordType} in zone ${service.hostedZoneId}`,
      ...records.map(
        (record) =>
          `  ${record.target.padEnd(width)} ${record.setIdentifier} -> ${record.value} (weight ${record.weight}), checks ${checks(service, record.target)}`,
      ),
      `  ${policyText(service)}`,
      ...dataPlaneLines(service, input.dataPlane ?? []),
    );
  }
  lines.push('', 'Try it from another shell:');
  const first = config.services[0];
  const policy = first?.policy;
  const activeActive = policy?.activeActive !== undefined;
  if (backends.primary !== undefined && activeActive && policy !== undefined) {
    const url = backends.primary.url;
    lines.push(
      `  curl -X POST ${url}/fail                # the primary's health answers 503 -> drained to weight 0 after ${policy.failureThreshold} failed rounds, its share to the others`,
      `  curl -X POST ${url}/recover             # healthy again -> after ${policy.recoveryThreshold} good rounds it ramps back to its share in steps ${policy.failbackSteps?.join('/') ?? '100'} %`,
    );
  } else if (backends.primary !== undefined) {
    const url = backends.primary.url;
    const down = policy ? ` -> failover after ${policy.failureThreshold} failed rounds` : '';
    const up = policy ? ` -> failback after ${policy.recoveryThreshold} good rounds` : '';
    lines.push(
      `  curl -X POST ${url}/fail                # the primary's health answers 503${down}`,
      `  curl -X POST ${url}/recover             # healthy again${up}`,
      `  curl -X POST '${url}/slow?ms=5000'      # answers after 5 s: a timeout`,
      `  curl -X POST ${url}/error               # resets the connection`,
    );
  }
  if (backends.standby !== undefined && backends.tertiary !== undefined) {
    // Three backends (`--mode`): the standby and the tertiary are the second and third target.
    const then = activeActive
      ? 'drained too; the others carry its share'
      : 'with the primary down too, traffic moves to the tertiary';
    lines.push(
      `  curl -X POST ${backends.standby.url}/fail                # the standby (secondary): ${then}`,
      `  curl -X POST ${backends.standby.url}/recover`,
      `  curl -X POST ${backends.tertiary.url}/fail                # the tertiary: ${activeActive ? 'drained, its share to the primary and the standby' : 'the last resort gone'}`,
      `  curl -X POST ${backends.tertiary.url}/recover`,
    );
  } else if (backends.standby !== undefined) {
    lines.push(
      `  curl -X POST ${backends.standby.url}/fail                # the standby too: both down, nothing moves`,
      `  curl -X POST ${backends.standby.url}/recover`,
    );
  }
  if (input.vantages != null) {
    const net = input.vantages.network.url;
    const one = input.vantages.configs.at(-1)?.vantage ?? 'eu-west-1';
    lines.push(
      `  curl -X POST ${net}/vantage/${one}/partition   # ${one} no longer reaches any primary: it disagrees, the quorum keeps traffic`,
      `  curl -X POST ${net}/vantage/${one}/blind       # ${one} reaches nothing, not even the canary: it abstains`,
      `  curl -X POST ${net}/vantage/${one}/heal        # ${one} sees everything again`,
      ...(first === undefined || first.targets[1] === undefined
        ? []
        : [
            `  curl -X POST ${net}/vantage/${one}/partition -d '{"upstreams":["${first.name}/${first.targets[1].id}"]}'   # cut off one upstream only`,
          ]),
    );
  }
  if ((input.dataPlane ?? []).length > 0) {
    const faults = `${input.endpoints.route53}/_local/faults`;
    lines.push(
      `  curl -X POST ${faults} -d '${ROUTE53_DOWN}'   # the Route 53 API down: every call answers 503; a failover lands through the health checks`,
      `  curl -X POST ${input.endpoints.route53}/_local/reset   # the Route 53 API back: the next watchdog run brings the weights in line`,
    );
  }
  for (const service of config.services) {
    lines.push(
      `  dig @127.0.0.1 -p ${input.dnsPort} ${service.recordName.replace(/\.$/, '')} ${service.recordType} +short   # where ${service.name} points`,
    );
  }
  lines.push(
    '',
    `Use failoverctl against it from another shell: source ${input.envFile}, or paste`,
    ...Object.entries(input.exports).map(([name, value]) => `  export ${name}=${shellQuote(value)}`),
    '  npm run -s failoverctl -- status',
    ...(first === undefined
      ? []
      : [
          `  npm run -s failoverctl -- drill ${first.name}   # a planned failover and back, timed to the DNS answer`,
        ]),
    '',
    'Ctrl-C stops everything.',
    '',
  );
  return `${lines.join('\n')}\n`;
}

/** The control request that makes every Route 53 API call answer 503 (local/route53/control.ts). */
export const ROUTE53_DOWN = '{"action":"failNext","count":1000000000,"error":"ServiceUnavailable"}';

function dataPlaneLines(service: ServiceConfig, attached: readonly DemoDataPlane[]): string[] {
  const found = attached.find((a) => a.service.name === service.name);
  if (found === undefined) return [];
  const checks = Object.entries(found.healthChecks).map(([target, id]) => `${target} ${id}`);
  const mode =
    service.dataPlane.mode === 'only'
      ? 'only: no Route 53 API call, every move lands through the health checks'
      : `fallback: a move that cannot get through the Route 53 API for ${service.dataPlane.deadlineSeconds} s lands through the health checks`;
  return [
    `  data plane ${mode}; health checks attached: ${checks.join(', ')} (each follows its TrafficAllowed alarm: 60 s periods, so 60-120 s after a decision)`,
  ];
}

/** The `env.sh` another shell sources to reach this demo. */
export function envScript(exports: Readonly<Record<string, string>>): string {
  return [
    '# Points the AWS SDK, the handlers and failoverctl at the running local demo: `source` this file.',
    ...Object.entries(exports).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    '',
  ].join('\n');
}

function checks(service: ServiceConfig, target: TargetId): string {
  return targetOf(service, target)
    .checks.map((check) =>
      check.kind === 'http'
        ? `${check.method} ${check.url}`
        : check.kind === 'tcp'
          ? `tcp ${check.host}:${check.port}`
          : `alarm ${check.alarmName}`,
    )
    .join(', ');
}

function policyText(service: ServiceConfig): string {
  const p = service.policy;
  const failback =
    p.failback === 'auto'
      ? `fails back by itself, not within ${p.minDwellSeconds} s of a flip`
      : 'failback is manual (failoverctl failback)';
  const probes = `probes every ${p.probeIntervalSeconds} s; down after ${p.failureThreshold} failed rounds, up after ${p.recoveryThreshold} good ones`;
  if (p.activeActive !== undefined) {
    const steps = p.failbackSteps?.join('/') ?? '100';
    return (
      `active-active: every target carries its weight; ${probes}; a DOWN one is drained to 0 (refused below ` +
      `${p.activeActive.minHealthyTargets} UP), an UP one ramps back in steps ${steps} % of its share, each held ` +
      `at least ${p.stepHoldSeconds ?? 60} s and the records' TTL`
    );
  }
  return `${probes}; ${failback}`;
}

function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || rel === '' ? file : rel;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
