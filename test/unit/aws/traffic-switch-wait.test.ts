import {
  type ChangeStatus,
  GetChangeCommand,
  type GetChangeCommandOutput,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createTrafficSwitch } from '../../../shared/aws/traffic-switch.ts';
import { fakeClock, serviceError } from './traffic-switch-fixtures.ts';

const r53 = mockClient(Route53Client);

afterEach(() => {
  r53.reset();
});

function change(Status: ChangeStatus): GetChangeCommandOutput {
  return { ChangeInfo: { Id: '/change/C1', Status, SubmittedAt: new Date(0) }, $metadata: {} };
}

describe('TrafficSwitch.waitInSync', () => {
  it('polls GetChange with growing pauses until the change is INSYNC', async () => {
    r53
      .on(GetChangeCommand)
      .resolvesOnce(change('PENDING'))
      .resolvesOnce(change('PENDING'))
      .resolvesOnce(change('PENDING'))
      .resolves(change('INSYNC'));
    const { clock, sleeps } = fakeClock();
    const traffic = createTrafficSwitch({ client: new Route53Client({}), clock });

    const status = await traffic.waitInSync('C1', clock.now() + 60_000);

    expect(status).toBe('INSYNC');
    expect(sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(r53.commandCalls(GetChangeCommand).map((call) => call.args[0].input)).toEqual(
      Array.from({ length: 4 }, () => ({ Id: 'C1' })),
    );
  });

  it('times out at the deadline, pausing at most 5 s and never past the deadline', async () => {
    r53.on(GetChangeCommand).resolves(change('PENDING'));
    const { clock, sleeps } = fakeClock();
    const deadline = clock.now() + 20_000;
    const traffic = createTrafficSwitch({ client: new Route53Client({}), clock });

    const status = await traffic.waitInSync('C1', deadline);

    expect(status).toBe('timeout');
    expect(sleeps).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 3_000]);
    expect(clock.now()).toBe(deadline);
    expect(r53.commandCalls(GetChangeCommand)).toHaveLength(7);
  });

  it('tolerates GetChange errors until the deadline', async () => {
    r53
      .on(GetChangeCommand)
      .rejectsOnce(serviceError('Throttling', 400))
      .rejectsOnce(serviceError('NoSuchChange', 404))
      .resolves(change('INSYNC'));
    const { clock } = fakeClock();
    const traffic = createTrafficSwitch({ client: new Route53Client({}), clock });

    await expect(traffic.waitInSync('C1', clock.now() + 10_000)).resolves.toBe('INSYNC');
  });

  it('times out when GetChange keeps failing', async () => {
    r53.on(GetChangeCommand).rejects(serviceError('InternalFailure', 500));
    const { clock } = fakeClock();
    const traffic = createTrafficSwitch({ client: new Route53Client({}), clock });

    await expect(traffic.waitInSync('C1', clock.now() + 3_000)).resolves.toBe('timeout');
  });

  it('polls once even when the deadline has passed', async () => {
    r53.on(GetChangeCommand).resolves(change('INSYNC'));
    const { clock } = fakeClock();
    const traffic = createTrafficSwitch({ client: new Route53Client({}), clock });

    await expect(traffic.waitInSync('/change/C1', clock.now() - 1)).resolves.toBe('INSYNC');
    expect(r53.commandCalls(GetChangeCommand)[0]?.args[0].input).toEqual({ Id: 'C1' });
  });
});
