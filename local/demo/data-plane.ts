/**
 * The demo's data-plane path (issue #12): for each service with `dataPlane: fallback | only`, the
 * alarms and CLOUDWATCH_METRIC health checks the deploy would make (local/data-plane.ts, from the
 * same definitions), attached to the seeded weighted records once at start the way
 * `failoverctl attach` does it (one compare-and-swap batch per service), so the local Route 53's DNS
 * answer follows the controller's TrafficAllowed signal when its API is down.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Route53Client } from '@aws-sdk/client-route-53';
import { applyAttach, planAttach } from '../../cli/attach-plan.ts';
import { METRICS_NAMESPACE } from '../../deploy/deployment.ts';
import { createTrafficSwitch } from '../../shared/aws/traffic-switch.ts';
import type { ControllerConfig, ServiceConfig } from '../../shared/domain/config.ts';
import { provisionDataPlane } from '../data-plane.ts';
import type { LocalStack } from '../stack.ts';

/** The stack name the local handlers and `failoverctl --stage local` use: the alarms' prefix. */
export const DEMO_STACK = 'failover-controller-local';

export interface DemoDataPlane {
  readonly service: ServiceConfig;
  /** The health check on each target's record, by target id. */
  readonly healthChecks: Readonly<Record<string, string>>;
}

/**
 * Provision and attach; nothing (and no call) when no service has a data plane.
 *
 * @example
 * const attached = await setUpDataPlane(config, stack);
 * attached[0]?.healthChecks; // { primary: '…', secondary: '…' }
 */
export async function setUpDataPlane(config: ControllerConfig, stack: LocalStack): Promise<DemoDataPlane[]> {
  const services = config.services.filter((s) => s.dataPlane.mode !== 'off');
  if (services.length === 0) return [];
  const region = stack.cloudwatch.region;
  const cloudwatch = new CloudWatchClient({ endpoint: stack.cloudwatch.endpoint, region });
  const route53 = new Route53Client({ endpoint: stack.route53.endpoint, region: 'us-east-1' });
  try {
    const scope = { stack: DEMO_STACK, stage: 'local', region };
    await provisionDataPlane(
      { cloudwatch, route53 },
      { services },
      { ...scope, namespace: METRICS_NAMESPACE },
    );
    const traffic = createTrafficSwitch({ client: route53 });
    const attached: DemoDataPlane[] = [];
    for (const service of services) {
      const plan = await planAttach({ route53, traffic }, service, scope);
      await applyAttach(route53, plan);
      attached.push({ service, healthChecks: plan.healthChecks });
    }
    return attached;
  } finally {
    cloudwatch.destroy();
    route53.destroy();
  }
}
