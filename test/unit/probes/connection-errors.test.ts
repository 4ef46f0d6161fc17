import { describe, expect, it } from 'vitest';
import { MAX_PROBE_REASON_CHARS } from '../../../shared/domain/limits.ts';
import { describeConnectionError } from '../../../shared/probes/connection-errors.ts';

const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('describeConnectionError', () => {
  it.each([
    [nodeError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443'), 'connection refused'],
    [nodeError('ECONNRESET', 'read ECONNRESET'), 'connection reset'],
    [nodeError('ECONNRESET', 'socket hang up'), 'connection closed before a response'],
    [nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example.com'), 'cannot resolve host api.example.com'],
    [nodeError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN api.example.com'), 'cannot resolve host api.example.com'],
    [nodeError('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/'), 'malformed HTTP response'],
    [nodeError('HPE_HEADER_OVERFLOW', 'Parse Error: Header overflow'), 'response headers too large'],
    [nodeError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'TLS: self-signed certificate'],
    [nodeError('CERT_HAS_EXPIRED', 'certificate has expired'), 'TLS: certificate has expired'],
    [
      nodeError(
        'EPROTO',
        'write EPROTO C0:error:0A00010B:SSL routines:tls_get_record:wrong version number:x.c:77:',
      ),
      'TLS: wrong version number',
    ],
  ])('describes %s', (error, reason) => {
    expect(describeConnectionError(error, 'api.example.com')).toBe(reason);
  });

  it('looks inside the AggregateError of a happy-eyeballs connect', () => {
    const error = new AggregateError(
      [
        nodeError('ECONNREFUSED', 'connect ECONNREFUSED ::1:80'),
        nodeError('ECONNREFUSED', 'connect ECONNREFUSED'),
      ],
      'all attempts failed',
    );

    expect(describeConnectionError(error, 'localhost')).toBe('connection refused');
  });

  it('keeps unknown errors short and on one line', () => {
    const reason = describeConnectionError(nodeError('EWEIRD', `first line\nsecond ${'x'.repeat(500)}`), 'h');

    expect(reason.startsWith('EWEIRD: first line second')).toBe(true);
    expect(reason.length).toBeLessThanOrEqual(200);
  });

  it('cuts the name of a long host it cannot resolve to a reason a flip request can carry', () => {
    const host = `${'a'.repeat(470)}.example.com`;

    const reason = describeConnectionError(nodeError('ENOTFOUND', `getaddrinfo ENOTFOUND ${host}`), host);

    expect(reason.startsWith('cannot resolve host aaa')).toBe(true);
    expect(reason).toHaveLength(MAX_PROBE_REASON_CHARS);
  });
});
