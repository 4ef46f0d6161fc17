import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createTrafficSwitch } from '../../../shared/aws/traffic-switch.ts';
import type { TrafficReading, WeightedRecordSet } from '../../../shared/domain/ports.ts';
import {
  cnamePrimary,
  cnameSecondary,
  fakeClock,
  page,
  service,
  serviceError,
} from './traffic-switch-fixtures.ts';

const r53 = mockClient(Route53Client);

afterEach(() => {
  r53.reset();
});

const STEPS = [10, 50, 100];
const weighted = (set: typeof cnamePrimary, Weight: number): WeightedRecordSet => ({
  ...set,
  Name: set.Name ?? '',
  Type: set.Type ?? '',
  SetIdentifier: set.SetIdentifier ?? '',
  Weight,
});
function readingOf(primary: number, secondary: number): TrafficReading {
  return {
    service: 'payments-api',
    active: primary > 0 && secondary > 0 ? null : primary > 0 ? 'primary' : 'secondary',
    sets: { primary: weighted(cnamePrimary, primary), secondary: weighted(cnameSecondary, secondary) },
  };
}

function switchWith() {
  const { clock } = fakeClock();
  return createTrafficSwitch({ client: new Route53Client({}), clock, random: () => 0.5 });
}

function createdWeights(): Record<string, number | undefined>[] {
  return r53
    .commandCalls(ChangeResourceRecordSetsCommand)
    .map((call) =>
      Object.fromEntries(
        (call.args[0].input.ChangeBatch?.Changes ?? [])
          .filter((change) => change.Action === 'CREATE')
          .map((change) => [change.ResourceRecordSet?.SetIdentifier, change.ResourceRecordSet?.Weight]),
      ),
    );
}

describe('TrafficSwitch.flip: ramp steps (issue #13)', () => {
  it('splits the active weight in one compare-and-swap batch: 10 to the primary, 90 to the secondary', async () => {
    r53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date(0) } });
    const traffic = switchWith();

    const result = await traffic.flipMany([
      {
        service,
        to: 'primary',
        expected: readingOf(0, 100),
        share: { from: 'secondary', step: { steps: STEPS, step: 0 } },
      },
    ]);

    expect(createdWeights()).toEqual([{ primary: 10, secondary: 90 }]);
    const flipped = result.get('payments-api');
    expect(flipped?.outcome === 'flipped' && flipped.reading.active).toBeNull();
    const deletes = r53
      .commandCalls(ChangeResourceRecordSetsCommand)[0]
      ?.args[0].input.ChangeBatch?.Changes?.filter((c) => c.Action === 'DELETE')
      .map((c) => c.ResourceRecordSet?.Weight);
    expect(deletes).toEqual([0, 100]);
  });

  it('rolls a split back to all on the secondary, deleting the split exactly as read', async () => {
    r53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C2', Status: 'PENDING', SubmittedAt: new Date(0) } });
    const traffic = switchWith();

    await traffic.flip(service, 'secondary', readingOf(50, 50));

    const [batch] = r53
      .commandCalls(ChangeResourceRecordSetsCommand)
      .map((c) => c.args[0].input.ChangeBatch?.Changes);
    expect(
      batch?.map((c) => [c.Action, c.ResourceRecordSet?.SetIdentifier, c.ResourceRecordSet?.Weight]),
    ).toEqual([
      ['DELETE', 'primary', 50],
      ['CREATE', 'primary', 0],
      ['DELETE', 'secondary', 50],
      ['CREATE', 'secondary', 100],
    ]);
  });

  it('sends nothing when the records already show the step, and says so', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves(
      page([
        { ...cnamePrimary, Weight: 50 },
        { ...cnameSecondary, Weight: 50 },
      ]),
    );
    const traffic = switchWith();

    const result = await traffic.flipMany([
      {
        service,
        to: 'primary',
        expected: readingOf(50, 50),
        share: { from: 'secondary', step: { steps: STEPS, step: 1 } },
      },
    ]);

    expect(result.get('payments-api')?.outcome).toBe('already-flipped');
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('judges a 5xx that was applied by the split it wrote: already flipped, not sent twice', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(serviceError('ServiceUnavailable', 503));
    r53.on(ListResourceRecordSetsCommand).resolves(
      page([
        { ...cnamePrimary, Weight: 50 },
        { ...cnameSecondary, Weight: 50 },
      ]),
    );
    const traffic = switchWith();

    const result = await traffic.flipMany([
      {
        service,
        to: 'primary',
        expected: readingOf(10, 90),
        share: { from: 'secondary', step: { steps: STEPS, step: 1 } },
      },
    ]);

    expect(result.get('payments-api')?.outcome).toBe('already-flipped');
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
  });
});
