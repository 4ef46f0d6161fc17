/**
 * Issue #18 items 4 and 7 end to end, with the real watchdog handler, whose async invoke reaches the
 * real failover handler through the Lambda stand-in:
 * - the largest configuration the loader accepts (a 64-character service name, 50 checks per
 *   target, every URL 480 characters). Before the shared limits such a config made that invoke
 *   come back `rejected` (no retry, no alarm): failover never happened. Here it must flip Route 53.
 * - beside it, a service whose checks use `bodyMatches: ^(a+)+$` on a body of 27 "a" and a "!",
 *   which blocked a backtracking matcher 7.4 s per probe: every round must still run on time.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLIP_FUNCTIONS } from '../../local/stack.ts';
import { stateStoreFromEnv } from '../../shared/aws/state-store.ts';
import type { FlipResponse } from '../../shared/controller/flip.ts';
import {
  MAX_CHECKS_PER_TARGET,
  MAX_HTTP_URL_CHARS,
  MAX_SERVICE_NAME_CHARS,
} from '../../shared/domain/limits.ts';
import type { StateStore } from '../../shared/domain/ports.ts';
import { type LocalServer, startHttpServer } from '../support/hostile-servers.ts';
import { contextFor, type Harness, startHarness } from './harness.ts';

const SERVICE = 's'.repeat(MAX_SERVICE_NAME_CHARS);

type WatchdogHandler = (event: unknown, context: unknown) => Promise<{ rounds: number }>;

/** `count` distinct health URLs on `base`, each exactly as long as the loader allows. */
function longestUrls(base: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const start = `${base}/health?check=${String(index).padStart(2, '0')}&pad=`;
    return `${start}${'p'.repeat(MAX_HTTP_URL_CHARS - start.length)}`;
  });
}

function largestConfig(h: Harness, hostileUrl: string): string {
  const pair = h.backends.get('limits');
  if (!pair) throw new Error('no backends');
  const checks = (base: string) =>
    longestUrls(base, MAX_CHECKS_PER_TARGET).map(
      (url) => `        - http: { url: "${url}", timeoutMs: 500 }`,
    );
  return [
    'defaults: { probeIntervalSeconds: 1, failureThreshold: 2, recoveryThreshold: 2, minDwellSeconds: 0 }',
    'services:',
    `  - name: ${SERVICE}`,
    `    hostedZoneId: ${h.zoneId}`,
    `    recordName: ${h.recordName('limits')}`,
    '    recordType: CNAME',
    '    primary:',
    '      setIdentifier: primary',
    '      checks:',
    ...checks(pair.primary.url),
    '    secondary:',
    '      setIdentifier: secondary',
    '      checks:',
    ...checks(pair.secondary.url),
    '  - name: patterns',
    `    hostedZoneId: ${h.zoneId}`,
    `    recordName: ${h.recordName('patterns')}`,
    '    recordType: CNAME',
    '    primary:',
    '      setIdentifier: primary',
    `      checks: [{ http: { url: "${hostileUrl}", bodyMatches: "^(a+)+$", timeoutMs: 200 } }]`,
    '    secondary:',
    '      setIdentifier: secondary',
    `      checks: [{ http: { url: "${hostileUrl}", bodyMatches: "^(a+)+$", timeoutMs: 200 } }]`,
    '',
  ].join('\n');
}

describe('the largest accepted configuration, end to end', () => {
  let h: Harness;
  let watchdog: WatchdogHandler;
  let store: StateStore;
  let hostile: LocalServer;

  beforeAll(async () => {
    h = await startHarness([
      { name: 'limits', failback: 'manual' },
      { name: 'patterns', failback: 'manual' },
    ]);
    hostile = await startHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`${'a'.repeat(27)}!`);
    });
    // The handlers read the file on first use, so it can be replaced before anything runs.
    await writeFile(h.configFile, largestConfig(h, `${hostile.origin}/health`));
    watchdog = (await import('../../functions/watchdog.ts')).handler as unknown as WatchdogHandler;
    store = stateStoreFromEnv();
  }, 60_000);

  afterAll(async () => {
    await hostile?.close();
    await h?.close();
  });

  it('fails over on time: the request with the most results the config allows is accepted and flips', async () => {
    const pair = h.backends.get('limits');
    const healthy = await watchdog({ time: new Date().toISOString() }, contextFor(3));

    pair?.primary.setMode({ kind: 'failing' });
    const failing = await watchdog({ time: new Date().toISOString() }, contextFor(3));
    await h.stack.lambda.idle();

    // Three 1 s rounds per run: the hostile pattern's probes never held a round up.
    expect([healthy.rounds, failing.rounds]).toEqual([3, 3]);
    expect((await store.load('patterns'))?.value.targets.primary).toMatchObject({
      status: 'down',
      last: [{ ok: false, reason: 'body does not match /^(a+)+$/' }],
    });
    const failovers = h.stack.lambda.invocations.filter(
      (run) => run.functionName === FLIP_FUNCTIONS.failover,
    );
    expect(failovers).toHaveLength(1);
    const [run] = failovers;
    const request = run?.payload as { evidence: { primary: { check: string }[] } };
    expect(request.evidence.primary).toHaveLength(MAX_CHECKS_PER_TARGET);
    // The labels show the longest URLs without their query (issue #18: a query may hold a token).
    expect(request.evidence.primary[0]?.check).toMatch(
      /^http GET http:\/\/127\.0\.0\.1:\d+\/health\?<redacted>$/,
    );
    expect((run?.result as FlipResponse | undefined)?.outcome).toBe('failed-over');
    expect((await store.load(SERVICE))?.value).toMatchObject({ active: 'secondary', moving: null });
  });
});
