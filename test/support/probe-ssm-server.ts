/**
 * A minimal SSM Parameter Store stand-in speaking the AWS JSON 1.1 protocol the SDK uses, enough for
 * GetParameter. It counts requests per parameter so tests can assert how often a secret is read.
 */
import { type LocalServer, startHttpServer } from './hostile-servers.ts';

export interface LocalSsm extends LocalServer {
  /** GetParameter requests per parameter name, in arrival order. */
  readonly reads: string[];
}

/** Serves `parameters` (name -> value); an unknown name answers `ParameterNotFound`. */
export async function startLocalSsm(parameters: Readonly<Record<string, string>>): Promise<LocalSsm> {
  const reads: string[] = [];
  const server = await startHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { Name?: string };
      const name = String(body.Name ?? '');
      const value = parameters[name];
      if (target !== 'AmazonSSM.GetParameter') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'UnknownOperationException', message: target }));
        return;
      }
      reads.push(name);
      if (value === undefined) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'ParameterNotFound', message: '' }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({ Parameter: { Name: name, Type: 'SecureString', Value: value, Version: 1 } }),
      );
    });
  });
  return { ...server, reads };
}
