/**
 * `failoverctl attach` (issue #12): the one-time change that puts each target's data-plane health
 * check on its weighted record. Health checks are found by the name of the alarm they follow
 * (ListHealthChecks: every CLOUDWATCH_METRIC check names its alarm in `AlarmIdentifier`), so the same
 * command serves a deployed stack and the local one, without reading stack outputs.
 *
 * The batch is a compare-and-swap, not an UPSERT: each record is DELETEd exactly as read and CREATEd
 * with `HealthCheckId` added, every other field copied. An UPSERT built from a reading would write
 * back the weights it read, and so undo a flip that landed between the read and the change; this
 * batch fails instead (InvalidChangeBatch), and running the command again reads afresh.
 */
import {
  ChangeResourceRecordSetsCommand,
  type HealthCheck,
  ListHealthChecksCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { trafficAlarmName } from '../deploy/data-plane.ts';
import type { ServiceConfig } from '../shared/domain/config.ts';
import type { TrafficSwitch, WeightedRecordSet } from '../shared/domain/ports.ts';

export interface AttachPlan {
  readonly service: string;
  readonly hostedZoneId: string;
  /** Empty when every record already carries its health check. */
  readonly changes: readonly {
    readonly Action: 'DELETE' | 'CREATE';
    readonly ResourceRecordSet: WeightedRecordSet;
  }[];
  readonly comment: string;
  /** By target: the health check its record gets (or has). */
  readonly healthChecks: Readonly<Record<string, string>>;
}

export class AttachError extends Error {
  override name = 'AttachError';
}

/**
 * @example
 * const plan = await planAttach({ route53, traffic }, service, { stack: 'failover-controller-prod', region: 'us-west-2' });
 * plan.changes; // [{ Action: 'DELETE', ResourceRecordSet: {…as read} }, { Action: 'CREATE', ResourceRecordSet: {…, HealthCheckId} }, …]
 */
export async function planAttach(
  clients: { readonly route53: Route53Client; readonly traffic: TrafficSwitch },
  service: ServiceConfig,
  scope: { readonly stack: string; readonly region: string },
): Promise<AttachPlan> {
  if (service.dataPlane.mode === 'off') {
    throw new AttachError(
      `Service ${service.name} has no dataPlane (it is off): set dataPlane: fallback (or only) for it in the ` +
        'config, deploy, then attach.',
    );
  }
  const checks = await listAlarmChecks(clients.route53);
  const read = await clients.traffic.read(service);
  if (!read.ok) throw new AttachError(`Cannot attach health checks to ${service.name}: ${read.message}`);
  const changes: AttachPlan['changes'][number][] = [];
  const healthChecks: Record<string, string> = {};
  for (const target of service.targets) {
    const alarm = trafficAlarmName(scope.stack, service.name, target.id);
    const found = checks.filter(
      (c) =>
        c.HealthCheckConfig?.AlarmIdentifier?.Name === alarm &&
        c.HealthCheckConfig.AlarmIdentifier.Region === scope.region,
    );
    const [check] = found;
    if (check?.Id === undefined || found.length > 1) {
      throw new AttachError(
        `${found.length === 0 ? 'No' : `${found.length}`} Route 53 health check${found.length === 1 ? '' : 's'} follow${found.length === 1 ? 's' : ''} alarm ${alarm} (${scope.region}) ` +
          `for ${service.name}/${target.id}: ${found.length === 0 ? 'deploy the stack with dataPlane set first (serverless deploy), or check --stage and --region' : 'delete the extra ones (keep the one the stack made)'}.`,
      );
    }
    healthChecks[target.id] = check.Id;
    const set = read.reading.sets[target.id];
    if (set === undefined) throw new AttachError(`${service.name}: no record for target ${target.id}`);
    const current = set.HealthCheckId;
    if (current === check.Id) continue;
    if (current !== undefined) {
      throw new AttachError(
        `The ${set.SetIdentifier} record of ${service.name} (${set.Name}) already carries health check ${String(current)}, ` +
          `not ${check.Id} (the one following ${alarm}); nothing was changed. Remove that health check from the record ` +
          'by hand if the data plane should replace it, then attach again.',
      );
    }
    changes.push({ Action: 'DELETE', ResourceRecordSet: set });
    changes.push({ Action: 'CREATE', ResourceRecordSet: { ...set, HealthCheckId: check.Id } });
  }
  return {
    service: service.name,
    hostedZoneId: service.hostedZoneId,
    changes,
    comment: `failover-controller: attach data-plane health checks to ${service.name} (issue #12)`,
    healthChecks,
  };
}

/**
 * Send the plan's batch (nothing when it is empty); the change id.
 *
 * @example
 * await applyAttach(route53, plan); // 'C0123…'
 */
export async function applyAttach(route53: Route53Client, plan: AttachPlan): Promise<string | null> {
  if (plan.changes.length === 0) return null;
  const out = await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: plan.hostedZoneId,
      ChangeBatch: {
        Comment: plan.comment,
        // The SDK's own record type; the sets are exactly as Route 53 returned them.
        Changes: plan.changes.map((c) => ({
          Action: c.Action,
          ResourceRecordSet: c.ResourceRecordSet as never,
        })),
      },
    }),
  );
  return out.ChangeInfo?.Id?.replace(/^\/change\//, '') ?? null;
}

async function listAlarmChecks(route53: Route53Client): Promise<HealthCheck[]> {
  const checks: HealthCheck[] = [];
  let marker: string | undefined;
  do {
    const page = await route53.send(new ListHealthChecksCommand({ ...(marker ? { Marker: marker } : {}) }));
    checks.push(
      ...(page.HealthChecks ?? []).filter((c) => c.HealthCheckConfig?.Type === 'CLOUDWATCH_METRIC'),
    );
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker !== undefined);
  return checks;
}
