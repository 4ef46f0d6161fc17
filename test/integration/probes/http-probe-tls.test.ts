import type { SecureContext } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { probeHttp } from '../../../shared/probes/http-probe.ts';
import { createTrustStore } from '../../../shared/probes/trust-store.ts';
import { type LocalServer, startHttpServer, startTlsServer } from '../../support/hostile-servers.ts';
import {
  type CertificateAndKey,
  createServerCertificate,
  createTestCa,
} from '../../support/probe-certificates.ts';
import { httpCheck } from '../../support/probe-checks.ts';

let ca: CertificateAndKey;
let trustingTestCa: SecureContext;
const servers: LocalServer[] = [];

beforeAll(async () => {
  ca = await createTestCa();
  trustingTestCa = createTrustStore(ca.cert);
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serveWith(certificate: CertificateAndKey): Promise<LocalServer> {
  const server = await startTlsServer(certificate.cert, certificate.key);
  servers.push(server);
  return server;
}

describe('probeHttp over TLS', () => {
  it('accepts a certificate signed by the extra CA it was given', async () => {
    const server = await serveWith(await createServerCertificate({ validFromDays: -1, validToDays: 90, ca }));

    const result = await probeHttp(httpCheck(`${server.origin}/health`), { secureContext: trustingTestCa });

    expect(result).toMatchObject({
      check: `http GET ${server.origin}/health`,
      ok: true,
      reason: 'status 200',
    });
  });

  it('rejects a certificate from a CA it was not given', async () => {
    const server = await serveWith(await createServerCertificate({ validFromDays: -1, validToDays: 90, ca }));

    const result = await probeHttp(httpCheck(`${server.origin}/health`));

    expect(result).toMatchObject({ ok: false, reason: 'TLS: unable to verify the first certificate' });
  });

  it('rejects a self-signed certificate', async () => {
    const server = await serveWith(await createServerCertificate({ validFromDays: -1, validToDays: 90 }));

    const result = await probeHttp(httpCheck(`${server.origin}/health`), { secureContext: trustingTestCa });

    expect(result).toMatchObject({ ok: false, reason: 'TLS: self-signed certificate' });
  });

  it('rejects an expired certificate', async () => {
    const server = await serveWith(
      await createServerCertificate({ validFromDays: -30, validToDays: -2, ca }),
    );

    const result = await probeHttp(httpCheck(`${server.origin}/health`), { secureContext: trustingTestCa });

    expect(result).toMatchObject({ ok: false, reason: 'TLS: certificate has expired' });
  });

  it('fails a valid certificate that expires sooner than certMinDaysValid', async () => {
    const server = await serveWith(
      await createServerCertificate({ validFromDays: -1, validToDays: 3.5, ca }),
    );
    const check = httpCheck(`${server.origin}/health`, { certMinDaysValid: 14 });

    const result = await probeHttp(check, { secureContext: trustingTestCa });

    expect(result).toMatchObject({ ok: false, reason: 'certificate expires in 3 days (minimum 14)' });
  });

  it('passes a certificate that outlives certMinDaysValid', async () => {
    const server = await serveWith(await createServerCertificate({ validFromDays: -1, validToDays: 30, ca }));
    const check = httpCheck(`${server.origin}/health`, { certMinDaysValid: 14 });

    const result = await probeHttp(check, { secureContext: trustingTestCa });

    expect(result).toMatchObject({ ok: true, reason: 'status 200' });
  });

  it('judges certificate expiry by the injected clock', async () => {
    const server = await serveWith(await createServerCertificate({ validFromDays: -1, validToDays: 30, ca }));
    const inTwentyDays = { now: () => Date.now() + 20 * 24 * 60 * 60 * 1000 };
    const check = httpCheck(`${server.origin}/health`, { certMinDaysValid: 14 });

    const result = await probeHttp(check, { secureContext: trustingTestCa, clock: inTwentyDays });

    expect(result).toMatchObject({ ok: false, reason: 'certificate expires in 9 days (minimum 14)' });
  });

  it('accepts a self-signed certificate when told to skip verification', async () => {
    const server = await serveWith(await createServerCertificate({ validFromDays: -1, validToDays: 90 }));

    const result = await probeHttp(httpCheck(`${server.origin}/health`, { insecureSkipVerify: true }));

    expect(result).toMatchObject({ ok: true, reason: 'status 200' });
  });

  it('still enforces certMinDaysValid when skipping verification', async () => {
    const server = await serveWith(await createServerCertificate({ validFromDays: -30, validToDays: -2.5 }));
    const check = httpCheck(`${server.origin}/health`, { insecureSkipVerify: true, certMinDaysValid: 7 });

    const result = await probeHttp(check);

    expect(result).toMatchObject({ ok: false, reason: 'certificate expired 2 days ago' });
  });

  it('reports a plain HTTP server behind an https URL as a TLS failure', async () => {
    const plain = await startHttpServer((_request, response) => response.end('ok'));
    servers.push(plain);

    const result = await probeHttp(httpCheck(`https://127.0.0.1:${plain.port}/health`));

    expect(result).toMatchObject({ ok: false, reason: 'TLS: wrong version number' });
  });
});
