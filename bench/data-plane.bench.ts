/**
 * Issue #12: how long the DNS answer takes to leave a failed primary through the data plane (the
 * Route 53 API answering 503 to every call), beside the control-plane compare-and-swap with the API
 * up — on the local stack, real handlers, real time.
 *
 * Data plane: the watchdog's decision is recorded past the service's deadline, the `TrafficAllowed`
 * metric says 0 for the primary from then on, the primary's alarm (Maximum < 1 over a 60 s period —
 * the shortest period Route 53 accepts for a CLOUDWATCH_METRIC check) goes to ALARM at the end of the
 * first whole minute that saw only 0, and the local Route 53 stops answering the primary's weighted
 * record. The local CloudWatch evaluates at the end of each period with no extra delay and the local
 * Route 53 reads the alarm at once: AWS publishes neither delay (docs/reference/route53-health-checks.md),
 * so on AWS add those on top. Control plane: the same failure with the API up, instant propagation.
 *
 * Each data-plane trial fails its primary at another moment of the CloudWatch minute (the wait for
 * the first whole minute of 0 depends on it). About 2 minutes a trial: `npm run bench -- data-plane`.
 */
import { Resolver } from 'node:dns/promises';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Route53Client } from '@aws-sdk/client-route-53';
import { applyAttach, planAttach } from '../cli/attach-plan.ts';
import { provisionDataPlane } from '../local/data-plane.ts';
import { createTrafficSwitch } from '../shared/aws/traffic-switch.ts';
import { loadConfig } from '../shared/config/index.ts';
import { type ChaosStack, startChaosStack } from '../test/chaos/support/chaos-stack.ts';
import { muteHandlerOutput } from './support/local-fleet.ts';

const DATA_PLANE = ['dp0', 'dp1', 'dp2'] as const;
const CONTROL_PLANE = ['cp0', 'cp1', 'cp2'] as const;
/** Offsets into the CloudWatch minute at which each data-plane trial fails its primary. */
const OFFSETS_S = [5, 25, 45] as const;
const DEADLINE_S = 2;
const GIVE_UP_MS = 200_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Trial {
  readonly service: string;
  readonly failedAt: number;
  readonly decidedAt: number;
  readonly recordedAt: number;
  readonly dnsAt: number;
}

export default async function dataPlaneBench(): Promise<void> {
  const unmute = muteHandlerOutput();
  const stack = await startChaosStack(
    [
      ...DATA_PLANE.map((name) => ({
        name,
        dataPlane: 'fallback' as const,
        dataPlaneDeadlineSeconds: DEADLINE_S,
      })),
      ...CONTROL_PLANE.map((name) => ({ name })),
    ],
    { cloudwatch: { timeScale: 1 } },
  );
  const route53 = new Route53Client({ region: 'us-east-1' });
  const cloudwatch = new CloudWatchClient({ region: stack.cloudwatch?.region ?? 'us-east-1' });
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${stack.route53.dnsPort}`]);
  const answer = async (service: string) => (await resolver.resolveCname(stack.recordName(service)))[0];
  try {
    const config = loadConfig({ env: process.env });
    const scope = {
      stack: 'failover-controller-local',
      stage: 'local',
      region: stack.cloudwatch?.region ?? 'us-east-1',
    };
    await provisionDataPlane({ cloudwatch, route53 }, config, { ...scope, namespace: 'FailoverController' });
    const traffic = createTrafficSwitch({ client: route53 });
    for (const service of config.services.filter((s) => s.dataPlane.mode !== 'off')) {
      await applyAttach(route53, await planAttach({ route53, traffic }, service, scope));
    }

    const control: Trial[] = [];
    for (const service of CONTROL_PLANE) control.push(await trial(stack, service, answer));

    // A whole minute of healthy rounds: every data-plane alarm OK before the API goes down.
    await runFor(stack, [...DATA_PLANE], 65_000);
    stack.route53.faults.failNext(1_000_000, 'ServiceUnavailable');
    const data: Trial[] = [];
    for (const [i, service] of DATA_PLANE.entries()) {
      const offset = OFFSETS_S[i] ?? 0;
      await sleep(msUntilSecondOfMinute(offset));
      data.push(await trial(stack, service, answer));
    }
    unmute();
    report('control plane (API up, instant propagation; local)', control, false);
    report(`data plane (API answering 503; deadline ${DEADLINE_S} s; 60 s alarm periods; local)`, data, true);
    console.log(
      '  expected on AWS, data plane: detection + deadline + up to two alarm periods (60-120 s, the first whole\n' +
        '  minute of 0 after the decision) + CloudWatch evaluation and Route 53 health-check delays (not published)\n' +
        '  + the record TTL; control plane: detection + propagation (generally within 60 s) + TTL.',
    );
  } finally {
    unmute();
    route53.destroy();
    cloudwatch.destroy();
    await stack.close();
  }
}

/** Fail `service`'s primary now; run its watchdog until the DNS answer names the standby. */
async function trial(
  stack: ChaosStack,
  service: string,
  answer: (service: string) => Promise<string | undefined>,
): Promise<Trial> {
  const failedAt = Date.now();
  stack.backends(service).primary.set('fail');
  let dnsAt = 0;
  const watching = (async () => {
    while (Date.now() - failedAt < GIVE_UP_MS) {
      if ((await answer(service).catch(() => undefined))?.startsWith('secondary.')) {
        dnsAt = Date.now();
        return;
      }
      await sleep(200);
    }
  })();
  while (dnsAt === 0 && Date.now() - failedAt < GIVE_UP_MS) await stack.runWatchdog(5, { only: [service] });
  await watching;
  if (dnsAt === 0) throw new Error(`${service}: the DNS answer did not move within ${GIVE_UP_MS / 1000} s`);
  const history = await stack.history(service);
  const at = (kind: string) => history.find((e) => e.kind === kind)?.at ?? Number.NaN;
  return { service, failedAt, decidedAt: at('failover-decided'), recordedAt: at('failover'), dnsAt };
}

async function runFor(stack: ChaosStack, services: string[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) await stack.runWatchdog(5, { only: services });
}

function msUntilSecondOfMinute(second: number): number {
  const now = Date.now();
  const target = Math.floor(now / 60_000) * 60_000 + second * 1000;
  return target > now ? target - now : target + 60_000 - now;
}

function report(label: string, trials: readonly Trial[], dataPlane: boolean): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`${label}: ${trials.length} failovers`);
  for (const t of trials) {
    const minute = `failed at second ${new Date(t.failedAt).getUTCSeconds()} of the minute`;
    const parts = [
      `detection ${s(t.decidedAt - t.failedAt)}`,
      `${dataPlane ? 'decision recorded (past the deadline)' : 'change recorded'} ${s(t.recordedAt - t.decidedAt)}`,
      `DNS answer moved ${s(t.dnsAt - t.recordedAt)} later`,
      `end to end ${s(t.dnsAt - t.failedAt)}`,
    ];
    console.log(`  ${t.service} (${minute}): ${parts.join('; ')}`);
  }
  const ends = trials.map((t) => t.dnsAt - t.failedAt).sort((a, b) => a - b);
  console.log(
    `  end to end: median ${s(ends[Math.floor(ends.length / 2)] ?? 0)}, worst ${s(ends.at(-1) ?? 0)}`,
  );
}
