/**
 * The local Route 53 driven by the AWS CLI: botocore is a client independent of the JS SDK, so what it
 * accepts (paths, XML shapes, pagination markers, error documents) is a second opinion on the wire format.
 * Skipped, with the reason printed, where `aws` is not on the PATH.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalRoute53, startLocalRoute53 } from '../../../local/route53/index.ts';

const run = promisify(execFile);

/** Why the AWS CLI cannot be used here, or undefined when it can. */
function awsMissing(): string | undefined {
  const probe = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `aws is not on the PATH (${probe.error.message}); pip install awscli`;
  if (probe.status !== 0) return `aws --version exited with ${probe.status}: ${probe.stderr}`;
  return undefined;
}
const noAws = awsMissing();
if (noAws !== undefined)
  process.stderr.write(`route53-awscli.test.ts: skipping the AWS CLI tests: ${noAws}\n`);

/** Only what the CLI needs: no profile, no config file, no endpoint from the caller's environment. */
const CLI_ENV = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_PAGER: '',
  AWS_MAX_ATTEMPTS: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** The exit code is 255 for a service error in AWS CLI v1 and 254 in v2, so tests only require non-zero. */
interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const servers: LocalRoute53[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** Runs `aws route53 <args>` against the stand-in; async because the server answers from this process. */
async function aws(r53: LocalRoute53, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      'aws',
      ['route53', ...args, '--endpoint-url', r53.endpoint, '--output', 'json'],
      { env: CLI_ENV, timeout: 20_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: unknown; stderr?: unknown };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: String(failed.stdout ?? ''), stderr: String(failed.stderr ?? '') };
  }
}

async function json(r53: LocalRoute53, ...args: string[]): Promise<unknown> {
  const result = await aws(r53, ...args);
  if (result.code !== 0) throw new Error(`aws route53 ${args[0]} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function batch(...changes: unknown[]): string {
  return JSON.stringify({ Changes: changes });
}

function weighted(id: string, weight: number, address: string) {
  return {
    Name: 'api.example.com',
    Type: 'A',
    SetIdentifier: id,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: address }],
  };
}

async function setup(): Promise<{ r53: LocalRoute53; zoneId: string }> {
  const r53 = await startLocalRoute53();
  servers.push(r53);
  const created = await json(r53, 'create-hosted-zone', '--name', 'example.com', '--caller-reference', 'cli');
  expect(created).toMatchObject({ HostedZone: { Id: expect.stringMatching(/^\/hostedzone\/Z/) } });
  const { HostedZone } = created as { HostedZone: { Id: string } };
  return { r53, zoneId: HostedZone.Id };
}

describe.skipIf(noAws !== undefined)('local Route 53 driven by the AWS CLI', () => {
  it('applies a change batch, reports it INSYNC and lists it back page by page', async () => {
    const { r53, zoneId } = await setup();

    const changed = await json(
      r53,
      'change-resource-record-sets',
      '--hosted-zone-id',
      zoneId,
      '--change-batch',
      batch(
        { Action: 'CREATE', ResourceRecordSet: weighted('primary', 100, '10.0.0.1') },
        { Action: 'CREATE', ResourceRecordSet: weighted('secondary', 0, '10.0.0.2') },
        {
          Action: 'CREATE',
          ResourceRecordSet: {
            Name: 'txt.example.com',
            Type: 'TXT',
            TTL: 60,
            ResourceRecords: [{ Value: '"hi"' }],
          },
        },
      ),
    );
    const { ChangeInfo } = changed as { ChangeInfo: { Id: string } };
    const status = await json(r53, 'get-change', '--id', ChangeInfo.Id);
    // --page-size 2 makes the CLI follow NextRecordName/Type/Identifier across three requests.
    const listed = await json(
      r53,
      'list-resource-record-sets',
      '--hosted-zone-id',
      zoneId,
      '--page-size',
      '2',
    );

    expect(changed).toMatchObject({
      ChangeInfo: { Status: 'PENDING', Id: expect.stringMatching(/^\/change\/C/) },
    });
    expect(status).toMatchObject({ ChangeInfo: { Id: ChangeInfo.Id, Status: 'INSYNC' } });
    const sets = (listed as { ResourceRecordSets: { Name: string; Type: string; SetIdentifier?: string }[] })
      .ResourceRecordSets;
    expect(sets.map((set) => [set.Name, set.Type, set.SetIdentifier ?? ''])).toEqual([
      ['example.com.', 'NS', ''],
      ['example.com.', 'SOA', ''],
      ['api.example.com.', 'A', 'primary'],
      ['api.example.com.', 'A', 'secondary'],
      ['txt.example.com.', 'TXT', ''],
    ]);
    expect(r53.calls.filter((call) => call.operation === 'ListResourceRecordSets')).toHaveLength(3);
  });

  it('reports two UPSERTs of one set as InvalidChangeBatch and changes nothing', async () => {
    const { r53, zoneId } = await setup();

    const result = await aws(
      r53,
      'change-resource-record-sets',
      '--hosted-zone-id',
      zoneId,
      '--change-batch',
      batch(
        { Action: 'UPSERT', ResourceRecordSet: weighted('primary', 100, '10.0.0.1') },
        { Action: 'UPSERT', ResourceRecordSet: weighted('primary', 0, '10.0.0.1') },
      ),
    );

    expect(result.code).toBeGreaterThan(0);
    expect(result.stderr).toContain(
      "An error occurred (InvalidChangeBatch) when calling the ChangeResourceRecordSets operation: [The request contains an invalid set of changes for a resource record set 'A api.example.com.']",
    );
    expect(r53.changes).toEqual([]);
  });

  it('reports an unquoted TXT value as InvalidChangeBatch with the service text', async () => {
    const { r53, zoneId } = await setup();

    const result = await aws(
      r53,
      'change-resource-record-sets',
      '--hosted-zone-id',
      zoneId,
      '--change-batch',
      batch({
        Action: 'CREATE',
        ResourceRecordSet: {
          Name: 'txt.example.com',
          Type: 'TXT',
          TTL: 60,
          ResourceRecords: [{ Value: 'hello' }],
        },
      }),
    );

    expect(result.code).toBeGreaterThan(0);
    expect(result.stderr).toContain(
      "(InvalidChangeBatch) when calling the ChangeResourceRecordSets operation: [Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'hello'']",
    );
  });

  it('reports an unknown hosted zone as NoSuchHostedZone', async () => {
    const { r53 } = await setup();

    const result = await aws(r53, 'get-hosted-zone', '--id', 'ZNOSUCHZONE0000000000');

    expect(result.code).toBeGreaterThan(0);
    expect(result.stderr).toContain(
      'An error occurred (NoSuchHostedZone) when calling the GetHostedZone operation: No hosted zone found with ID: ZNOSUCHZONE0000000000',
    );
  });
});
