import {
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  Route53ServiceException,
} from '@aws-sdk/client-route-53';
import type { ServiceConfig } from '../../../shared/domain/config.ts';
import type { Clock } from '../../../shared/domain/ports.ts';

export const service: ServiceConfig = {
  name: 'payments-api',
  hostedZoneId: 'Z0123456789ABC',
  recordName: 'api.example.com.',
  recordType: 'CNAME',
  activeWeight: 100,
  targets: [
    { id: 'primary', setIdentifier: 'primary', checks: [] },
    { id: 'secondary', setIdentifier: 'secondary', checks: [] },
  ],
  notify: [],
  policy: {
    probeIntervalSeconds: 10,
    failureThreshold: 3,
    recoveryThreshold: 6,
    minDwellSeconds: 600,
    failback: 'manual',
    maxAutoFailbacksPerHour: 2,
  },
  metrics: 'basic',
  dataPlane: { mode: 'off', deadlineSeconds: 30 },
};

export const cnamePrimary: ResourceRecordSet = {
  Name: 'api.example.com.',
  Type: 'CNAME',
  SetIdentifier: 'primary',
  Weight: 100,
  TTL: 60,
  ResourceRecords: [{ Value: 'primary.example.com' }],
};

export const cnameSecondary: ResourceRecordSet = {
  Name: 'api.example.com.',
  Type: 'CNAME',
  SetIdentifier: 'secondary',
  Weight: 0,
  TTL: 60,
  ResourceRecords: [{ Value: 'standby.example.com' }],
};

/** One page of ListResourceRecordSets. */
export function page(
  sets: readonly ResourceRecordSet[],
  next?: Pick<
    ListResourceRecordSetsCommandOutput,
    'NextRecordName' | 'NextRecordType' | 'NextRecordIdentifier'
  >,
): ListResourceRecordSetsCommandOutput {
  return {
    ResourceRecordSets: sets.map((set) => ({ ...set })),
    IsTruncated: next !== undefined,
    MaxItems: 300,
    ...next,
    $metadata: { httpStatusCode: 200 },
  };
}

export function serviceError(name: string, httpStatusCode: number, message = name): Route53ServiceException {
  return new Route53ServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

/** A clock whose `sleep` returns at once and moves time on: no real waiting. */
export function fakeClock(start = 1_700_000_000_000): { clock: Clock; sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}
