/**
 * The local stack: everything the real handlers talk to, on 127.0.0.1 — dynalite for DynamoDB,
 * the local Route 53 (API + DNS, health checks that follow the local CloudWatch's alarms), the local
 * CloudWatch (metrics and alarms), and the Lambda invoke stand-in running the real failover,
 * failback and control handlers in this process. The handlers' SDK clients reach it through the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables in `env`, exactly as they would reach AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type LocalCloudWatch, startLocalCloudWatch } from './cloudwatch/index.ts';
import { createStateTable, type LocalDynamo, startLocalDynamo } from './dynamodb/index.ts';
import {
  deployedFunction,
  type LocalFunction,
  type LocalHandler,
  type LocalLambda,
  startLocalLambda,
} from './lambda/index.ts';
import { type DeployedSettings, FunctionSettingsError, loadDeployedSettings } from './lambda/settings.ts';
import { type LocalRoute53, type Propagation, startLocalRoute53 } from './route53/index.ts';

export interface LocalStackOptions {
  readonly dataDir?: string;
  readonly ports?: {
    readonly dynamodb?: number;
    readonly route53?: number;
    readonly dns?: number;
    readonly lambda?: number;
    readonly cloudwatch?: number;
  };
  /** The local CloudWatch's clock and alarm evaluation delay (defaults: Date.now, 0 ms). */
  readonly cloudwatch?: { readonly now?: () => number; readonly evaluationDelayMs?: number };
  /** How long an alarm's data takes to reach Route 53 health checks (default 0, on the CloudWatch clock). */
  readonly healthCheckDelayMs?: number;
  /** How long a Route 53 change stays PENDING (default 0). */
  readonly inSyncDelayMs?: number;
  /** The local Route 53's propagation model (default instant); wins over `inSyncDelayMs`. */
  readonly propagation?: Propagation;
  readonly table?: string;
  /** Async retries of the flip functions; default: as deployed (serverless.yml / the packaged template). */
  readonly flipRetries?: number;
  /**
   * Multiplies the Lambda stand-in's own delays (throttle backoff, async retry delays, event age);
   * default 1 = real. See local/lambda/README.md.
   */
  readonly timeScale?: number;
  /** Per-function changes to the deployed settings, for a test that needs one explicitly. */
  readonly functions?: Partial<Record<StackFunction, Partial<Omit<LocalFunction, 'handler'>>>>;
}

export type StackFunction = 'failover' | 'failback' | 'forced' | 'control';

export interface LocalStack {
  readonly dynamo: LocalDynamo;
  readonly route53: LocalRoute53;
  readonly cloudwatch: LocalCloudWatch;
  readonly lambda: LocalLambda;
  /** The Lambda settings the functions run with, and where they were read. */
  readonly settings: DeployedSettings;
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

/** The forced-flip function (operators only: `failoverctl failover|failback --force`). */
export const FORCED_FUNCTION = 'failover-controller-local-forced';

/**
 * Start the stack and point this process's AWS SDK at it (`process.env`). The flip functions are
 * registered with the Lambda stand-in from `functions/` on first start, with the control function,
 * each with its deployed settings (reserved concurrency, timeout, retries, event age, destination).
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
    // Read first: a wrong serverless.yml fails before any server starts.
    const settings = loadDeployedSettings({ stage: 'local' });
    const dynamo = await startLocalDynamo({
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.ports?.dynamodb === undefined ? {} : { port: options.ports.dynamodb }),
    });
    started.push(dynamo);
    const cloudwatch = await startLocalCloudWatch({
      ...(options.ports?.cloudwatch === undefined ? {} : { port: options.ports.cloudwatch }),
      ...(options.cloudwatch?.now === undefined ? {} : { now: options.cloudwatch.now }),
      ...(options.cloudwatch?.evaluationDelayMs === undefined
        ? {}
        : { evaluationDelayMs: options.cloudwatch.evaluationDelayMs }),
    });
    started.push(cloudwatch);
    const route53 = await startLocalRoute53({
      cloudwatch: cloudwatch.alarmStates,
      ...(options.healthCheckDelayMs === undefined ? {} : { healthCheckDelayMs: options.healthCheckDelayMs }),
      inSyncDelayMs: options.inSyncDelayMs ?? 0,
      ...(options.propagation === undefined ? {} : { propagation: options.propagation }),
      ...(options.ports?.route53 === undefined ? {} : { port: options.ports.route53 }),
      ...(options.ports?.dns === undefined ? {} : { dnsPort: options.ports.dns }),
    });
    started.push(route53);
    const lambda = await startLocalLambda({
      ...(options.ports?.lambda === undefined ? {} : { port: options.ports.lambda }),
      ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
      // AWS would publish the record to the on-failure topic; locally it goes to the log, one JSON
      // line like the handlers' (the demo's handlers.log), so a dropped flip is never silent.
      onDestination: ({ functionName, destination, record }) => {
        const { condition, approximateInvokeCount, requestId } = record.requestContext;
        process.stdout.write(
          `${JSON.stringify({
            level: 'error',
            time: record.timestamp,
            message: `lambda: async event for ${functionName} not processed (${condition}), sent to ${destination ?? 'no destination'}`,
            requestId,
            approximateInvokeCount,
            requestPayload: record.requestPayload,
          })}\n`,
        );
      },
    });
    started.push(lambda);

    // Local credentials, always: the stack must never send a real key anywhere, nor print one.
    const env: Record<string, string> = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_ROUTE_53: route53.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
      STATE_TABLE: table,
      FAILOVER_FUNCTION_NAME: FLIP_FUNCTIONS.failover,
      FAILBACK_FUNCTION_NAME: FLIP_FUNCTIONS.failback,
      CONTROL_FUNCTION_NAME: CONTROL_FUNCTION,
      FORCED_FUNCTION_NAME: FORCED_FUNCTION,
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

    const [{ handler: failover }, { handler: failback }, { handler: forced }, { handler: control }] =
      await Promise.all([
        import('../functions/failover.ts'),
        import('../functions/failback.ts'),
        import('../functions/forced.ts'),
        import('../functions/control.ts'),
      ]);
    const handlers: Record<StackFunction, LocalHandler> = {
      failover: failover as LocalHandler,
      failback: failback as LocalHandler,
      forced: forced as LocalHandler,
      control: control as LocalHandler,
    };
    const names: Record<StackFunction, string> = {
      ...FLIP_FUNCTIONS,
      forced: FORCED_FUNCTION,
      control: CONTROL_FUNCTION,
    };
    for (const key of ['failover', 'failback', 'forced', 'control'] as const) {
      const deployed = settings.functions.get(key);
      if (!deployed) {
        throw new FunctionSettingsError(
          settings.file,
          `functions.${key}`,
          'missing: the local stack runs this function',
        );
      }
      const retries =
        (key === 'failover' || key === 'failback') && options.flipRetries !== undefined
          ? { maximumRetryAttempts: options.flipRetries }
          : {};
      lambda.register(names[key], {
        ...deployedFunction(deployed, handlers[key]),
        ...retries,
        ...options.functions?.[key],
      });
    }

    return { dynamo, route53, cloudwatch, lambda, settings, env, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
