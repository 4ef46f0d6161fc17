/**
 * A minimal CloudWatch stand-in speaking the AWS JSON 1.0 protocol the SDK uses, enough for
 * DescribeAlarms. It records each request's operation and body so tests can assert on the wire.
 */
import type { StateValue } from '@aws-sdk/client-cloudwatch';
import { type LocalServer, startHttpServer } from './hostile-servers.ts';

export interface CloudWatchRequest {
  /** `DescribeAlarms`, from `x-amz-target: GraniteServiceVersion20100801.DescribeAlarms`. */
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

export interface LocalCloudWatch extends LocalServer {
  readonly requests: CloudWatchRequest[];
}

/** Serves metric alarms with the given states; with `stall`, accepts requests and never answers. */
export async function startLocalCloudWatch(options: {
  readonly alarms: Readonly<Record<string, StateValue>>;
  readonly stall?: boolean;
}): Promise<LocalCloudWatch> {
  const requests: CloudWatchRequest[] = [];
  const server = await startHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      requests.push({ operation: target.split('.').at(-1) ?? '', body });
      if (options.stall) return;
      const names = Array.isArray(body.AlarmNames) ? body.AlarmNames.map(String) : [];
      const found = names.filter((name) => options.alarms[name] !== undefined);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({
          MetricAlarms: found.map((name) => ({ AlarmName: name, StateValue: options.alarms[name] })),
          CompositeAlarms: [],
        }),
      );
    });
  });
  return { ...server, requests };
}
