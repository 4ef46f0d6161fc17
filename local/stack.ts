/**
 * The local stack: everything the real handlers talk to, on 127.0.0.1 — dynalite for DynamoDB,
 * the local Route 53 (API + DNS), and the Lambda invoke stand-in running the real failover,
 * failback and control handlers in this process. The handlers' SDK clients reach it through the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables in `env`, exactly as they would reach AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStateTable, type LocalDynamo, startLocalDynamo } from './dynamodb/index.ts';
import { type LocalHandler, type LocalLambda, startLocalLambda } from './lambda/index.ts';
import { type LocalRoute53, startLocalRoute53 } from './route53/index.ts';

export interface LocalStackOptions {
  readonly dataDir?: string;
  readonly ports?: {
    readonly dynamodb?: number;
    readonly route53?: number;
    readonly dns?: number;
    readonly lambda?: number;
  };
  /** How long a Route 53 change stays PENDING (default 0). */
  readonly inSyncDelayMs?: number;
  readonly table?: string;
  /** Async retries of the flip functions (serverless.yml sets 1; default 1). */
  readonly flipRetries?: number;
}

export interface LocalStack {
  readonly dynamo: LocalDynamo;
  readonly route53: LocalRoute53;
  readonly lambda: LocalLambda;
  /** The variables that point the AWS SDK and the handlers at this stack. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export const FLIP_FUNCTIONS = {
  failover: 'failover-controller-local-failover',
  failback: 'failover-controller-local-failback',
};

/** The pause/resume function (operators invoke it; the watchdog never does). */
export const CONTROL_FUNCTION = 'failover-controller-local-control';

/**
 * Start the stack and point this process's AWS SDK at it (`process.env`). The flip functions are
 * registered with the Lambda stand-in from `functions/` on first start, with the control function.
 *
 * @example
 * const stack = await startLocalStack();
 * // ... invoke functions/watchdog.handler; dig @127.0.0.1 -p stack.route53.dnsPort api.example.com
 * await stack.close();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const table = options.table ?? 'failover-controller-local-state';
  // Whatever started is closed again if a later piece fails (a port in use, say).
  const started: { close(): Promise<void> }[] = [];
  let closing: Promise<void> | undefined;
  const closeAll = () => {
    closing ??= (async () => {
      for (const piece of [...started].reverse()) await piece.close();
    })();
    return closing;
  };
  try {
    const dynamo = await startLocalDynamo({
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.ports?.dynamodb === undefined ? {} : { port: options.ports.dynamodb }),
    });
    started.push(dynamo);
    const route53 = await startLocalRoute53({
      inSyncDelayMs: options.inSyncDelayMs ?? 0,
      ...(options.ports?.route53 === undefined ? {} : { port: options.ports.route53 }),
      ...(options.ports?.dns === undefined ? {} : { dnsPort: options.ports.dns }),
    });
    started.push(route53);
    const lambda = await startLocalLambda(
      options.ports?.lambda === undefined ? {} : { port: options.ports.lambda },
    );
    started.push(lambda);

    // Local credentials, always: the stack must never send a real key anywhere, nor print one.
    const env: Record<string, string> = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_ROUTE_53: route53.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
      STATE_TABLE: table,
      FAILOVER_FUNCTION_NAME: FLIP_FUNCTIONS.failover,
      FAILBACK_FUNCTION_NAME: FLIP_FUNCTIONS.failback,
      CONTROL_FUNCTION_NAME: CONTROL_FUNCTION,
    };
    Object.assign(process.env, env);
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;

    const client = new DynamoDBClient({ endpoint: dynamo.endpoint });
    try {
      await createStateTable(client, table);
    } finally {
      client.destroy();
    }

    const [{ handler: failover }, { handler: failback }, { handler: control }] = await Promise.all([
      import('../functions/failover.ts'),
      import('../functions/failback.ts'),
      import('../functions/control.ts'),
    ]);
    const retries = options.flipRetries ?? 1;
    lambda.register(FLIP_FUNCTIONS.failover, {
      handler: failover as LocalHandler,
      timeoutMs: 120_000,
      maximumRetryAttempts: retries,
    });
    lambda.register(FLIP_FUNCTIONS.failback, {
      handler: failback as LocalHandler,
      timeoutMs: 120_000,
      maximumRetryAttempts: retries,
    });
    lambda.register(CONTROL_FUNCTION, { handler: control as LocalHandler, timeoutMs: 30_000 });

    return { dynamo, route53, lambda, env, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
