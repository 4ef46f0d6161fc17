import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../shared/domain/ports.ts';
import { createProber } from '../../../shared/probes/prober.ts';
import {
  type LocalServer,
  refusingPort,
  startHttpServer,
  startTlsServer,
} from '../../support/hostile-servers.ts';
import { createServerCertificate, createTestCa } from '../../support/probe-certificates.ts';
import { httpCheck, serviceWith, tcpCheck } from '../../support/probe-checks.ts';

/** Counts requests per path and the most requests it ever held open at once. */
let backend: LocalServer;
const requestsByPath = new Map<string, number>();
let open = 0;
let peakOpen = 0;

beforeAll(async () => {
  backend = await startHttpServer((request, response) => {
    const path = request.url ?? '/';
    requestsByPath.set(path, (requestsByPath.get(path) ?? 0) + 1);
    open += 1;
    peakOpen = Math.max(peakOpen, open);
    const answer = () => {
      open -= 1;
      response.writeHead(path.startsWith('/down') ? 503 : 200);
      response.end('ok');
    };
    if (path.startsWith('/slow')) setTimeout(answer, 100);
    else answer();
  });
});

afterAll(async () => {
  await backend.close();
});

const url = (path: string) => `${backend.origin}${path}`;

/** A clock that moves one second each time it is read, so the round's `at` is unambiguous. */
function steppingClock(start: number): Clock {
  let now = start;
  return {
    now: () => {
      const reading = now;
      now += 1000;
      return reading;
    },
    sleep: async () => {},
  };
}

describe('createProber', () => {
  it('observes each service: a target is healthy only when all its checks pass', async () => {
    const closedPort = await refusingPort();
    const prober = createProber({ clock: steppingClock(1_700_000_000_000) });
    const payments = serviceWith(
      'payments',
      [httpCheck(url('/pay/health')), tcpCheck('127.0.0.1', backend.port)],
      [httpCheck(url('/pay/standby')), tcpCheck('127.0.0.1', closedPort)],
    );
    const cart = serviceWith('cart', [httpCheck(url('/down/cart'))], [httpCheck(url('/cart/standby'))]);

    const observations = await prober.probeServices([payments, cart]);

    expect([...observations.keys()]).toEqual(['payments', 'cart']);
    const paymentsSeen = observations.get('payments');
    expect(paymentsSeen?.at).toBe(1_700_000_000_000);
    expect(paymentsSeen?.targets.primary?.ok).toBe(true);
    expect(paymentsSeen?.targets.secondary).toMatchObject({
      ok: false,
      checks: [
        { check: `http GET ${url('/pay/standby')}`, ok: true },
        { check: `tcp 127.0.0.1:${closedPort}`, ok: false, reason: 'connection refused' },
      ],
    });
    expect(observations.get('cart')?.targets.primary).toMatchObject({
      ok: false,
      checks: [{ reason: 'status 503 not in [2xx]' }],
    });
    expect(observations.get('cart')?.at).toBe(1_700_000_000_000);
  });

  it('probes each check exactly once per round, failing or not', async () => {
    const prober = createProber();
    const service = serviceWith('once', [httpCheck(url('/down/once-a'))], [httpCheck(url('/once-b'))]);

    await prober.probeServices([service]);

    expect(requestsByPath.get('/down/once-a')).toBe(1);
    expect(requestsByPath.get('/once-b')).toBe(1);
  });

  it('never has more probes in flight than its concurrency', async () => {
    peakOpen = 0;
    const prober = createProber({ concurrency: 3 });
    const checks = Array.from({ length: 12 }, (_, index) => httpCheck(url(`/slow/bounded-${index}`)));
    const service = serviceWith('bounded', checks.slice(0, 6), checks.slice(6));

    const observations = await prober.probeServices([service]);

    expect(peakOpen).toBeLessThanOrEqual(3);
    expect(peakOpen).toBeGreaterThan(0);
    expect(observations.get('bounded')?.targets.primary?.checks).toHaveLength(6);
    expect(observations.get('bounded')?.targets.secondary?.ok).toBe(true);
  });

  it('probes checks side by side by default', async () => {
    const prober = createProber();
    const checks = Array.from({ length: 20 }, (_, index) => httpCheck(url(`/slow/parallel-${index}`)));

    const started = performance.now();
    await prober.probeServices([serviceWith('parallel', checks.slice(0, 10), checks.slice(10))]);

    // One after another would take 20 x 100 ms.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('probes only the named target', async () => {
    const prober = createProber();
    const service = serviceWith(
      'single',
      [httpCheck(url('/single/primary'))],
      [httpCheck(url('/single/standby'))],
    );

    const observation = await prober.probeTarget(service, 'secondary');

    expect(observation).toMatchObject({
      ok: true,
      checks: [{ check: `http GET ${url('/single/standby')}` }],
    });
    expect(requestsByPath.get('/single/standby')).toBe(1);
    expect(requestsByPath.has('/single/primary')).toBe(false);
  });

  it('observes every target of a service with three, under its id, and probes one of them alone', async () => {
    const prober = createProber({ clock: steppingClock(1_700_000_000_000) });
    const service = {
      ...serviceWith('trio', [], []),
      targets: [
        { id: 'eu-west', setIdentifier: 'blue', checks: [httpCheck(url('/down/trio-eu'))] },
        { id: 'us-east', setIdentifier: 'green', checks: [httpCheck(url('/trio-us'))] },
        { id: 'ap-south', setIdentifier: 'red', checks: [httpCheck(url('/trio-ap'))] },
      ],
    };

    const observations = await prober.probeServices([service]);
    const alone = await prober.probeTarget(service, 'ap-south');

    const seen = observations.get('trio');
    expect(Object.keys(seen?.targets ?? {})).toEqual(['eu-west', 'us-east', 'ap-south']);
    expect(seen?.targets['eu-west']).toMatchObject({
      ok: false,
      checks: [{ reason: 'status 503 not in [2xx]' }],
    });
    expect(seen?.targets['us-east']?.ok).toBe(true);
    expect(seen?.targets['ap-south']?.ok).toBe(true);
    expect(alone).toMatchObject({ ok: true, checks: [{ check: `http GET ${url('/trio-ap')}` }] });
    expect(requestsByPath.get('/trio-ap')).toBe(2);
    expect(requestsByPath.get('/down/trio-eu')).toBe(1);
  });

  it('verifies certificates against the CA it was given', async () => {
    const ca = await createTestCa();
    const certificate = await createServerCertificate({ validFromDays: -1, validToDays: 90, ca });
    const internal = await startTlsServer(certificate.cert, certificate.key);
    const service = serviceWith('internal', [httpCheck(`${internal.origin}/health`)], []);

    try {
      const trusting = await createProber({ ca: ca.cert }).probeTarget(service, 'primary');
      const untrusting = await createProber().probeTarget(service, 'primary');

      expect(trusting.ok).toBe(true);
      expect(untrusting.checks[0]?.reason).toBe('TLS: unable to verify the first certificate');
    } finally {
      await internal.close();
    }
  });
});
