/**
 * The local CloudWatch: metric data and metric alarms behind the AWS JSON 1.0 API the JS SDK v3 speaks.
 * Alarms are evaluated from the data (see alarms.ts); the local Route 53's CLOUDWATCH_METRIC health
 * checks read the evaluated state through `alarmStates`, as Route 53 reads the alarm's data stream.
 *
 * @example
 * const cw = await startLocalCloudWatch();
 * const client = new CloudWatchClient({ endpoint: cw.endpoint, region: cw.region });
 * await client.send(new DescribeAlarmsCommand({}));
 * await cw.close();
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { portOf, readBody } from '../http-body.ts';
import { type AlarmState, MetricStore } from './alarms.ts';
import {
  CloudWatchApiError,
  type CloudWatchOperation,
  OPERATIONS,
  runOperation,
  TARGET_PREFIX,
} from './api.ts';

export type { AlarmState } from './alarms.ts';

export interface LocalCloudWatchOptions {
  readonly host?: string;
  readonly port?: number;
  /** The one region this stand-in is (default us-east-1). */
  readonly region?: string;
  /** The clock for datapoints without a Timestamp and for alarm evaluation (default Date.now). */
  readonly now?: () => number;
  /**
   * How long after a period ends the alarm evaluation that includes it runs (default 0: at the period
   * boundary, the earliest CloudWatch can; see README for what is known about the real delay).
   */
  readonly evaluationDelayMs?: number;
}

/** What a Route 53 health checker reads: the state the alarm's data gave at a time. */
export interface AlarmStateSource {
  readonly region: string;
  now(): number;
  /**
   * The evaluated state of alarm `name` at time `at` (ms) with the newest OK/ALARM state before it
   * (`lastKnown`), or undefined when there is no such alarm.
   */
  stateAt(
    name: string,
    at: number,
  ): { readonly state: AlarmState; readonly since: number; readonly lastKnown?: 'OK' | 'ALARM' } | undefined;
  /** The alarm's configuration as Route 53 copies it into a health check, or undefined when absent. */
  describe(name: string): AlarmSummary | undefined;
}

export interface AlarmSummary {
  readonly name: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly statistic: string;
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly threshold: number;
  readonly comparison: string;
  readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
}

export interface LocalCloudWatch {
  readonly endpoint: string;
  readonly region: string;
  /** Every API request, for counting. */
  readonly calls: readonly { operation: string; at: number; status: number }[];
  /** For the local Route 53: alarm states as the metric data gives them. */
  readonly alarmStates: AlarmStateSource;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const ACCOUNT_ID = '000000000000';

/**
 * Starts the local CloudWatch on `host:port` (port 0: chosen by the OS).
 * @example
 * const cw = await startLocalCloudWatch({ now: clock.now, evaluationDelayMs: 0 });
 */
export async function startLocalCloudWatch(options: LocalCloudWatchOptions = {}): Promise<LocalCloudWatch> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const now = options.now ?? (() => Date.now());
  const evaluationDelayMs = options.evaluationDelayMs ?? 0;
  if (!Number.isFinite(evaluationDelayMs) || evaluationDelayMs < 0) {
    throw new RangeError(`evaluationDelayMs must be a number >= 0, got ${evaluationDelayMs}`);
  }
  const store = new MetricStore({ now, evaluationDelayMs, region, accountId: ACCOUNT_ID });
  const calls: { operation: string; at: number; status: number }[] = [];

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = now();
    const requestId = randomUUID();
    const raw = await readBody(req, MAX_BODY_BYTES);
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation = OPERATIONS.find((op) => op === name);
    let status = 200;
    let payload: unknown;
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': requestId,
    };
    try {
      if (req.method !== 'POST' || operation === undefined) {
        throw new CloudWatchApiError(
          'InvalidAction',
          'InvalidAction',
          400,
          `The local CloudWatch does not serve ${req.method ?? '?'} ${target || '(no x-amz-target)'}; it serves ${OPERATIONS.join(', ')}.`,
        );
      }
      payload = runOperation(operation, parseBody(raw, req.headers['content-encoding']), store, now);
    } catch (error) {
      const apiError =
        error instanceof CloudWatchApiError
          ? error
          : new CloudWatchApiError(
              'InternalFailure',
              'InternalServiceFault',
              500,
              `local CloudWatch bug: ${String(error)}`,
            );
      status = apiError.status;
      headers['x-amzn-query-error'] = `${apiError.code};${status >= 500 ? 'Receiver' : 'Sender'}`;
      payload = { __type: `com.amazonaws.cloudwatch#${apiError.shape}`, message: apiError.message };
    }
    calls.push({ operation: operation ?? (name || 'Unknown'), at, status });
    const body = JSON.stringify(payload);
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error) }));
      } else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = portOf(address);
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const alarmStates: AlarmStateSource = {
    region,
    now,
    stateAt(name, at) {
      const transition = store.evaluatedStateAt(name, at);
      if (transition === undefined) return undefined;
      const known = store.lastKnownAt(name, at)?.state;
      return {
        state: transition.state,
        since: transition.at,
        ...(known === 'OK' || known === 'ALARM' ? { lastKnown: known } : {}),
      };
    },
    describe(name) {
      const alarm = store.alarm(name);
      if (alarm === undefined) return undefined;
      const { config } = alarm;
      return {
        name: config.name,
        namespace: config.namespace,
        metricName: config.metricName,
        statistic: config.statistic,
        period: config.period,
        evaluationPeriods: config.evaluationPeriods,
        threshold: config.threshold,
        comparison: config.comparison,
        dimensions: config.dimensions,
      };
    },
  };

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    region,
    calls,
    alarmStates,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The operations served, named as the SDK names them. */
export const CLOUDWATCH_OPERATIONS: readonly CloudWatchOperation[] = OPERATIONS;

function parseBody(
  raw: Buffer,
  encoding: string | string[] | undefined,
): { readonly [key: string]: unknown } {
  let text: string;
  try {
    text = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
  } catch (error) {
    throw new CloudWatchApiError(
      'InvalidFormat',
      'InvalidFormatFault',
      400,
      `Body is not valid gzip: ${String(error)}`,
    );
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CloudWatchApiError(
      'InvalidFormat',
      'InvalidFormatFault',
      400,
      `Data was not syntactically valid JSON: ${String(error)}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CloudWatchApiError(
      'InvalidFormat',
      'InvalidFormatFault',
      400,
      'The request body must be a JSON object.',
    );
  }
  return parsed as { readonly [key: string]: unknown };
}
