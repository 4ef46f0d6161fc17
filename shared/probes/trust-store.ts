import { X509Certificate } from 'node:crypto';
import tls, { type SecureContext } from 'node:tls';
import { ProberSetupError } from './errors.ts';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * A TLS trust store of Node's default CAs plus an extra CA (PEM, one or more certificates), for
 * endpoints that present certificates from an internal CA. Built once, shared by every probe.
 * Throws `ProberSetupError` when `extraCa` holds no readable certificate.
 */
export function createTrustStore(extraCa: string | Buffer): SecureContext {
  const extra = readCertificates(extraCa.toString('utf8'));
  // `getCACertificates` (Node 22.15+) includes NODE_EXTRA_CA_CERTS; `rootCertificates` is the bundle.
  const defaults =
    typeof tls.getCACertificates === 'function' ? tls.getCACertificates('default') : tls.rootCertificates;
  return tls.createSecureContext({ ca: [...defaults, ...extra] });
}

function readCertificates(pem: string): string[] {
  // Node silently skips text that is not a certificate; a typo would then trust nothing new.
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new ProberSetupError('the extra CA given to the prober (option `ca`) holds no PEM certificate');
  }
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new ProberSetupError(
        'the extra CA given to the prober (option `ca`) has an unreadable certificate',
        {
          cause: error,
        },
      );
    }
  }
  return blocks;
}
