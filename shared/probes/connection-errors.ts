import { shortenReason } from './reason-text.ts';

/** OpenSSL's certificate verification failures, as Node names them in `error.code`. */
const CERTIFICATE_ERROR_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const RESOLVE_ERROR_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA']);

const PLAIN_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  HPE_HEADER_OVERFLOW: 'response headers too large',
  ERR_SOCKET_BAD_PORT: 'invalid port',
};

/**
 * Turns a socket, DNS, TLS or HTTP parser error into a short reason a person can act on,
 * e.g. `connection refused`, `cannot resolve host db.internal`, `TLS: self-signed certificate`.
 */
export function describeConnectionError(error: unknown, host: string): string {
  const { code, message, reason } = errorFields(error);
  if (RESOLVE_ERROR_CODES.has(code)) return shortenReason(`cannot resolve host ${host}`);
  // Node says "socket hang up" when the peer closed the connection before any response arrived.
  if (code === 'ECONNRESET' && message === 'socket hang up') return 'connection closed before a response';
  const plain = PLAIN_REASONS[code];
  if (plain !== undefined) return plain;
  if (code.startsWith('HPE_')) return 'malformed HTTP response';
  if (CERTIFICATE_ERROR_CODES.has(code)) return shortenReason(`TLS: ${message}`);
  // OpenSSL protocol errors bury a readable reason ("wrong version number") in a long message.
  const openSslReason = /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1];
  if (openSslReason !== undefined) return shortenReason(`TLS: ${openSslReason}`);
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))
    return shortenReason(`TLS: ${reason || message}`);
  return shortenReason(code === '' ? message : `${code}: ${message}`);
}

interface ErrorFields {
  readonly code: string;
  readonly message: string;
  readonly reason: string;
}

function errorFields(error: unknown): ErrorFields {
  if (!(error instanceof Error)) return { code: '', message: String(error), reason: '' };
  // Happy-eyeballs connects (autoSelectFamily) fail with an AggregateError of per-address errors.
  const inner = error instanceof AggregateError && error.errors[0] instanceof Error ? error.errors[0] : error;
  return {
    code: stringField(error, 'code') || stringField(inner, 'code'),
    message: inner.message || error.message,
    reason: stringField(inner, 'reason'),
  };
}

function stringField(error: Error, field: string): string {
  const value: unknown = Reflect.get(error, field);
  return typeof value === 'string' ? value : '';
}
