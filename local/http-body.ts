/**
 * What the local stand-ins share about their HTTP servers: reading a request body with a cap (a
 * request over it is refused and its connection closed, never buffered whole), and the port a
 * server listens on.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request body larger than the server's cap. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/**
 * The whole body of `req`, or a `BodyTooLargeError` once it passes `maxBytes`.
 *
 * @example
 * const text = (await readBody(req, 10 * 1024 * 1024)).toString('utf8');
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new BodyTooLargeError(`request body over ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The port a listening server was given (0 before it listens).
 *
 * @example
 * await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
 * const port = portOf(server.address());
 */
export function portOf(address: string | AddressInfo | null): number {
  return typeof address === 'object' && address !== null ? address.port : 0;
}
