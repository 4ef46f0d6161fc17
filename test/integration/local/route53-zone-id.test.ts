/**
 * The local-only way to create a hosted zone with a given ID (the local demo creates the zones a
 * configuration file names), seen through the real SDK.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalRoute53, startLocalRoute53 } from '../../../local/route53/index.ts';

let r53: LocalRoute53 | undefined;
let client: Route53Client | undefined;

afterEach(async () => {
  client?.destroy();
  await r53?.close();
});

async function start(): Promise<{ r53: LocalRoute53; client: Route53Client }> {
  r53 = await startLocalRoute53();
  client = new Route53Client({ endpoint: r53.endpoint, region: 'us-east-1', maxAttempts: 1 });
  return { r53, client };
}

describe('LocalRoute53.createHostedZone', () => {
  it('creates a zone with the given ID that the API serves like any other', async () => {
    const { r53, client } = await start();

    const created = r53.createHostedZone('Example.COM', { id: 'Z0123456789ABCDEFGHIJ' });
    const got = await client.send(new GetHostedZoneCommand({ Id: 'Z0123456789ABCDEFGHIJ' }));
    await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: created.id,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: 'api.example.com',
                Type: 'A',
                TTL: 60,
                ResourceRecords: [{ Value: '10.0.0.1' }],
              },
            },
          ],
        },
      }),
    );

    expect(created).toEqual({ id: 'Z0123456789ABCDEFGHIJ', name: 'example.com.' });
    expect(got.HostedZone?.Id).toBe('/hostedzone/Z0123456789ABCDEFGHIJ');
    expect(got.HostedZone?.Name).toBe('example.com.');
    expect(r53.changes).toHaveLength(1);
  });

  it('refuses an ID that is taken or not shaped like a hosted zone ID', async () => {
    const { r53 } = await start();
    r53.createHostedZone('example.com', { id: 'ZTAKEN' });

    expect(() => r53.createHostedZone('example.org', { id: 'ZTAKEN' })).toThrow(/ZTAKEN already exists/);
    expect(() => r53.createHostedZone('example.org', { id: 'z-lower' })).toThrow(/is not a hosted zone ID/);
    expect(() => r53.createHostedZone('.', { id: 'ZROOT' })).toThrow(/root domain/);
  });

  it('picks an ID like the service does when none is given', async () => {
    const { r53 } = await start();

    const created = r53.createHostedZone('example.net');

    expect(created.id).toMatch(/^Z[A-Z0-9]{20}$/);
  });
});
