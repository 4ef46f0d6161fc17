// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${ssm:...} here names the configuration reference.
/**
 * `${ssm:/path}` header values: the prober reads them through the real SSM client (over HTTP to a
 * local stand-in) with the notifiers' cached resolver, and sends them to a real local backend.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpCheck } from '../../../shared/domain/config.ts';
import { createSecretResolver } from '../../../shared/notify/secrets.ts';
import { probeHttp } from '../../../shared/probes/http-probe.ts';
import { createProber } from '../../../shared/probes/prober.ts';
import { type LocalServer, startHttpServer } from '../../support/hostile-servers.ts';
import { httpCheck, serviceWith } from '../../support/probe-checks.ts';
import { type LocalSsm, startLocalSsm } from '../../support/probe-ssm-server.ts';

const TOKEN = 'probe-token-value-4d1f9e';

let backend: LocalServer;
let ssm: LocalSsm;
const tokensSeen: (string | undefined)[] = [];

beforeAll(async () => {
  backend = await startHttpServer((request, response) => {
    const token = request.headers['x-health-token'];
    tokensSeen.push(typeof token === 'string' ? token : undefined);
    response.writeHead(token === TOKEN ? 200 : 401).end(token === TOKEN ? 'ok' : 'who are you');
  });
  ssm = await startLocalSsm({ '/failover/health-token': TOKEN });
});

afterAll(async () => {
  await Promise.all([backend.close(), ssm.close()]);
});

beforeEach(() => {
  tokensSeen.length = 0;
  ssm.reads.length = 0;
});

const tokenCheck = (path: string): HttpCheck =>
  httpCheck(`${backend.origin}/health`, {
    headers: { 'X-Health-Token': { kind: 'ssm', path }, Accept: 'text/plain' },
    expectStatus: [{ min: 200, max: 200 }],
  });

/** A prober wired as the runtime wires it: the real SSM client behind the cached resolver. */
function proberWithSecrets(logs: { message: string; fields: Record<string, unknown> }[] = []) {
  const client = new SSMClient({
    endpoint: ssm.origin,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const secrets = createSecretResolver({ ssm: () => client, timeoutMs: 2000 });
  return createProber({
    secrets: (ref) => secrets.resolve(ref),
    log: (message, fields) => logs.push({ message, fields }),
  });
}

describe('http checks with ${ssm:/path} header values', () => {
  it('sends the parameter’s value as the header, reading it once for many rounds', async () => {
    const logs: { message: string; fields: Record<string, unknown> }[] = [];
    const prober = proberWithSecrets(logs);
    const service = serviceWith('payments', [tokenCheck('/failover/health-token')], []);

    const rounds = [];
    for (let round = 0; round < 3; round++) rounds.push(await prober.probeServices([service]));

    expect(rounds.map((observations) => observations.get('payments')?.targets.primary?.ok)).toEqual([
      true,
      true,
      true,
    ]);
    expect(tokensSeen).toEqual([TOKEN, TOKEN, TOKEN]);
    expect(ssm.reads).toEqual(['/failover/health-token']);
    expect(logs).toEqual([]);
  });

  it('leaves a service out of the round when its header secret cannot be read, and says which, never a value', async () => {
    const logs: { message: string; fields: Record<string, unknown> }[] = [];
    const prober = proberWithSecrets(logs);
    const broken = serviceWith('payments', [tokenCheck('/failover/missing-token')], []);
    const fine = serviceWith('ledger', [tokenCheck('/failover/health-token')], []);

    const observations = await prober.probeServices([broken, fine]);

    expect([...observations.keys()]).toEqual(['ledger']);
    expect(observations.get('ledger')?.targets.primary?.ok).toBe(true);
    expect(tokensSeen).toEqual([TOKEN]);
    expect(logs).toHaveLength(1);
    expect(logs[0]?.fields).toMatchObject({ service: 'payments' });
    const logged = JSON.stringify(logs);
    expect(logged).toContain('header X-Health-Token');
    expect(logged).toContain('/failover/missing-token');
    expect(logged).toContain('ParameterNotFound');
    expect(logged).not.toContain(TOKEN);
  });

  it('fails the check when a flip re-verifies a target whose header secret cannot be read', async () => {
    const prober = proberWithSecrets();
    const service = serviceWith('payments', [], [tokenCheck('/failover/missing-token')]);

    const observation = await prober.probeTarget(service, 'secondary');

    expect(observation.ok).toBe(false);
    expect(observation.checks[0]?.reason).toMatch(
      /^header X-Health-Token: SSM parameter \/failover\/missing-token could not be read: ParameterNotFound/,
    );
    expect(tokensSeen).toEqual([]);
  });

  it('tries an unreadable parameter again in the next round', async () => {
    const prober = proberWithSecrets();
    const service = serviceWith('payments', [tokenCheck('/failover/missing-token')], []);

    await prober.probeServices([service]);
    await prober.probeServices([service]);

    expect(ssm.reads).toEqual(['/failover/missing-token', '/failover/missing-token']);
  });

  it('never sends a request for a header it was not given the value of', async () => {
    const result = await probeHttp(tokenCheck('/failover/health-token'));

    expect(result).toMatchObject({
      ok: false,
      reason: 'header X-Health-Token comes from SSM parameter /failover/health-token, which was not read',
    });
    expect(tokensSeen).toEqual([]);
  });

  it('fails a check with an SSM header when the prober has no way to read SSM', async () => {
    const service = serviceWith('payments', [], [tokenCheck('/failover/health-token')]);

    const observation = await createProber().probeTarget(service, 'secondary');

    expect(observation.checks[0]?.reason).toContain('built without a secret lookup');
    expect(tokensSeen).toEqual([]);
  });
});
