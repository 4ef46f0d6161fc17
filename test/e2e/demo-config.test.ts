/**
 * `failoverctl local --config my.yml`: the demo runs a person's own configuration — the hosted
 * zone under the ID the file names, each service's two weighted records seeded from its checks'
 * hosts — and the real handlers flip them. The endpoints here are local demo backends that the
 * test starts itself (the demo starts none: the file does not reference FAILOVER_DEMO_*).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoBackend, startDemoBackend } from '../../local/backend/index.ts';
import { DemoSetupError, type LocalDemo, startLocalDemo } from '../../local/demo/run.ts';
import { planSeed } from '../../local/demo/seed.ts';
import { parseConfig } from '../../shared/config/index.ts';

const ZONE_ID = 'ZMYSHOP0000000000001';

function userConfig(primary: DemoBackend, standby: DemoBackend, recordType: 'A' | 'CNAME' = 'A'): string {
  return `
defaults:
  probeIntervalSeconds: 1
  failureThreshold: 2
  recoveryThreshold: 2
  minDwellSeconds: 0
  failback: manual
services:
  - name: shop-api
    hostedZoneId: /hostedzone/${ZONE_ID}
    recordName: api.shop.example
    recordType: ${recordType}
    primary:
      setIdentifier: blue
      checks:
        - http: { url: "${primary.url}/health", timeoutMs: 500 }
    secondary:
      setIdentifier: green
      checks:
        - http: { url: "${standby.url}/health", timeoutMs: 500 }
  - name: shop-db
    hostedZoneId: ${ZONE_ID}
    recordName: db.internal.shop.example
    recordType: A
    primary:
      setIdentifier: blue
      checks:
        - tcp: { host: 127.0.0.1, port: ${primary.port}, timeoutMs: 500 }
    secondary:
      setIdentifier: green
      checks:
        - tcp: { host: 127.0.0.1, port: ${standby.port}, timeoutMs: 500 }
`;
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, tries = 150): Promise<T> {
  let value = await probe();
  for (let i = 1; i < tries && !done(value); i++) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

describe('the local demo with a configuration of your own', () => {
  let dir: string;
  let primary: DemoBackend;
  let standby: DemoBackend;
  let demo: LocalDemo | undefined;
  let route53: Route53Client | undefined;
  let printed = '';
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      printed += chunk.toString();
      callback();
    },
  });
  const weights = async (name: string) => {
    const listed = await route53?.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: ZONE_ID, StartRecordName: name }),
    );
    const sets = (listed?.ResourceRecordSets ?? []).filter((set: ResourceRecordSet) => set.Name === name);
    return Object.fromEntries(sets.map((set) => [set.SetIdentifier, set.Weight]));
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-demo-config-'));
    primary = await startDemoBackend('shop-blue');
    standby = await startDemoBackend('shop-green');
  });

  afterAll(async () => {
    route53?.destroy();
    await demo?.stop();
    await primary?.close();
    await standby?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses, naming the service and the fix, a CNAME whose check host is an IP address', async () => {
    const file = join(dir, 'cname.yml');
    await writeFile(file, userConfig(primary, standby, 'CNAME'));

    const started = startLocalDemo({ configFile: file, out, dataDir: join(dir, 'refused') });

    await expect(started).rejects.toThrow(DemoSetupError);
    await expect(started).rejects.toThrow(
      /services\[0\] \(shop-api\) primary: .*"127\.0\.0\.1", an IPv4 address, but recordType CNAME needs a host name; use recordType: A/,
    );
  });

  it('refuses a file that does not exist, saying which', async () => {
    const started = startLocalDemo({ configFile: join(dir, 'missing.yml'), out });

    await expect(started).rejects.toThrow(/Cannot read the configuration .*missing\.yml: no such file/);
  });

  it('refuses a --web-port in use, naming the port and the fix', async () => {
    const file = join(dir, 'busy-web.yml');
    await writeFile(file, userConfig(primary, standby));
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;

    try {
      const started = startLocalDemo({ configFile: file, out, ports: { web: port } });

      await expect(started).rejects.toThrow(DemoSetupError);
      await expect(started).rejects.toThrow(
        `Cannot serve the web view: port ${port} on 127.0.0.1 is in use; pass another --web-port, or none.`,
      );
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it('creates the zone under the configured ID and seeds both services from their checks', async () => {
    const file = join(dir, 'shop.yml');
    await writeFile(file, userConfig(primary, standby));

    demo = await startLocalDemo({
      configFile: file,
      out,
      dataDir: join(dir, 'data'),
      timing: { runSeconds: 4, viewIntervalMs: 200 },
    });
    route53 = new Route53Client({ endpoint: demo.stack.route53.endpoint, region: 'us-east-1' });
    const zone = await route53.send(new GetHostedZoneCommand({ Id: ZONE_ID }));
    const api = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: ZONE_ID, StartRecordName: 'api.shop.example' }),
    );

    expect(zone.HostedZone?.Name).toBe('shop.example.');
    expect(demo.backends).toEqual({});
    expect(api.ResourceRecordSets?.slice(0, 2)).toEqual([
      expect.objectContaining({ Name: 'api.shop.example.', Type: 'A', SetIdentifier: 'blue', Weight: 100 }),
      expect.objectContaining({ Name: 'api.shop.example.', Type: 'A', SetIdentifier: 'green', Weight: 0 }),
    ]);
    expect(api.ResourceRecordSets?.[0]?.ResourceRecords).toEqual([{ Value: '127.0.0.1' }]);
    expect(await weights('db.internal.shop.example.')).toEqual({ blue: 100, green: 0 });
    expect(printed).toContain(`dig @127.0.0.1 -p ${demo.dnsPort} api.shop.example A`);
    expect(printed).not.toContain('curl -X POST');
  });

  it('flips the seeded records when the configured primary fails', async () => {
    await until(
      async () => printed,
      (text) => text.includes('shop-api: phase primary-active, primary up, secondary up'),
    );

    primary.setMode({ kind: 'failing' });
    const api = await until(
      () => weights('api.shop.example.'),
      (w) => w.blue === 0,
    );

    expect(api).toEqual({ blue: 0, green: 100 });
    // The tcp checks of shop-db still connect: only shop-api moved.
    expect(await weights('db.internal.shop.example.')).toEqual({ blue: 100, green: 0 });
    const text = await until(
      async () => printed,
      (value) => value.includes('shop-api: epoch 0 -> 1: failover'),
    );
    expect(text).toContain('shop-api: epoch 0 -> 1: failover, traffic on the secondary');
  });
});

describe('planSeed', () => {
  const config = (services: string) => parseConfig(`services:\n${services}`, '/demo/test.yml', {});
  const service = (name: string, zone: string, record: string, type: string, host: string) => `
  - name: ${name}
    hostedZoneId: ${zone}
    recordName: ${record}
    recordType: ${type}
    primary: { setIdentifier: a, checks: [{ http: { url: "http://${host.includes(':') ? `[${host}]` : host}:8080/health" } }] }
    secondary: { setIdentifier: b, checks: [{ tcp: { host: "${host}", port: 9090 } }] }
`;

  it('names a zone after the common parent of its records and puts traffic where the state says', () => {
    const plan = planSeed(
      config(
        service('one', 'ZAAA', 'api.example.com', 'CNAME', 'api-blue.example.net') +
          service('two', 'ZAAA', 'ledger.internal.example.com', 'AAAA', '2001:db8::1'),
      ),
      new Map([['two', 'secondary']]),
      new Map(),
    );

    expect(plan.zones).toEqual([{ id: 'ZAAA', name: 'example.com.' }]);
    expect(plan.services.map((s) => s.records.map((r) => [r.target, r.value, r.weight]))).toEqual([
      [
        ['primary', 'api-blue.example.net', 100],
        ['secondary', 'api-blue.example.net', 0],
      ],
      [
        ['primary', '2001:db8::1', 0],
        ['secondary', '2001:db8::1', 100],
      ],
    ]);
  });

  it('lists every record it cannot derive, with the service, the target and what to change', () => {
    const plan = () =>
      planSeed(
        config(
          service('one', 'ZAAA', 'api.example.com', 'A', 'db.example.net') +
            service('two', 'ZAAA', 'api.example.org', 'A', '10.0.0.1'),
        ),
        new Map(),
        new Map(),
      );

    expect(plan).toThrow(DemoSetupError);
    expect(plan).toThrow(
      /services\[0\] \(one\) primary: .*"db\.example\.net", a host name, but recordType A needs an IPv4 address; use recordType: CNAME/,
    );
    expect(plan).toThrow(/services\[0\] \(one\) secondary: /);
    expect(plan).toThrow(
      /hosted zone ZAAA: no domain holds every record name \(api\.example\.com\., api\.example\.org\.\)/,
    );
  });
});
