/**
 * Certificates for TLS probe tests, generated at run time with `selfsigned` (EC keys: fast).
 * Leaf certificates name 127.0.0.1 and localhost so hostname verification passes when trusted.
 */
import { generate } from 'selfsigned';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CertificateAndKey {
  readonly cert: string;
  readonly key: string;
}

const LOCAL_NAMES = {
  name: 'subjectAltName' as const,
  altNames: [
    { type: 7 as const, ip: '127.0.0.1' },
    { type: 2 as const, value: 'localhost' },
  ],
};

/** A certificate authority to sign leaf certificates and to hand to the prober as `ca`. */
export async function createTestCa(): Promise<CertificateAndKey> {
  const pems = await generate([{ name: 'commonName', value: 'failover-controller test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * A server certificate for 127.0.0.1 valid from `validFromDays` to `validToDays` relative to now
 * (fractions allowed), signed by `ca` or self-signed when `ca` is omitted.
 */
export async function createServerCertificate(options: {
  readonly validFromDays: number;
  readonly validToDays: number;
  readonly ca?: CertificateAndKey;
}): Promise<CertificateAndKey> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: new Date(now + options.validFromDays * DAY_MS),
    notAfterDate: new Date(now + options.validToDays * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      LOCAL_NAMES,
    ],
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  return { cert: pems.cert, key: pems.private };
}
