/**
 * What every command works with: the output streams, the global options, and the AWS clients and
 * configuration, each built on first use (so `failoverctl cost` never needs credentials and
 * `failoverctl pause` never needs the config file). Clients honour `AWS_ENDPOINT_URL_<SERVICE>`.
 */
import { hostname } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import { createStateStore } from '../shared/aws/state-store.ts';
import { createTrafficSwitch, type Route53TrafficSwitch } from '../shared/aws/traffic-switch.ts';
import { createVoteStore } from '../shared/aws/vote-store.ts';
import { ConfigError, ConfigurationError, loadConfig } from '../shared/config/index.ts';
import { MAX_REQUESTED_BY_CHARS } from '../shared/controller/flip-request.ts';
import type { ControllerConfig, ServiceConfig } from '../shared/domain/config.ts';
import { type Clock, type StateStore, systemClock, type VoteStore } from '../shared/domain/ports.ts';
import { UsageError } from './errors.ts';
import { shown } from './format.ts';

export type ControllerFunction = 'failover' | 'failback' | 'forced' | 'control';

export interface CliIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C (the entry point wires it); long commands stop cleanly. */
  readonly signal?: AbortSignal;
}

export interface GlobalOptions {
  readonly stage: string;
  readonly region?: string;
  readonly configFile?: string;
  readonly table?: string;
  readonly debug: boolean;
}

export interface CliContext {
  readonly io: CliIo;
  readonly globals: GlobalOptions;
  readonly clock: Clock;
  /** Writes one line to stdout as `shown` makes it safe: a newline inside `line` is printed as `\n`. */
  print(line?: string): void;
  /** Writes one line to stderr, made safe the same way. */
  warn(line: string): void;
  /** The configuration (loaded once); throws the loader's `ConfigError` (exit 2). */
  config(): ControllerConfig;
  /** The configured service, or a `UsageError` that lists the configured ones. */
  service(name: string): ServiceConfig;
  /**
   * Check a service name against the configuration when it can be loaded; when it cannot, warn and
   * let the deployed function judge (an operator may act without the config file at hand).
   * Returns the service's configuration, or null when there is none to check against.
   */
  checkServiceIfConfigured(name: string): ServiceConfig | null;
  store(): StateStore;
  /** The vantages' votes (issue #11), on the state table's client, as the watchdog reads them. */
  votes(): VoteStore;
  tableName(): string;
  lambda(): LambdaClient;
  route53(): Route53Client;
  traffic(): Route53TrafficSwitch;
  functionName(fn: ControllerFunction): string;
  /** `--as`, else `$USER@hostname`. */
  requestedBy(as?: string): string;
  close(): void;
}

const FUNCTION_ENV: Readonly<Record<ControllerFunction, string>> = {
  failover: 'FAILOVER_FUNCTION_NAME',
  failback: 'FAILBACK_FUNCTION_NAME',
  forced: 'FORCED_FUNCTION_NAME',
  control: 'CONTROL_FUNCTION_NAME',
};

/** The environment variable that names each function (the local stack sets them). */
export function functionEnvVar(fn: ControllerFunction): string {
  return FUNCTION_ENV[fn];
}

export function createContext(io: CliIo, globals: GlobalOptions, clock: Clock = systemClock): CliContext {
  let config: ControllerConfig | undefined;
  let store: StateStore | undefined;
  let votes: VoteStore | undefined;
  let dynamo: DynamoDBClient | undefined;
  let lambda: LambdaClient | undefined;
  let route53: Route53Client | undefined;
  let traffic: Route53TrafficSwitch | undefined;
  const region = globals.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const regional = region === undefined ? {} : { region };

  const ctx: CliContext = {
    io,
    globals,
    clock,
    print: (line = '') => void io.out.write(`${shown(line)}\n`),
    warn: (line) => void io.err.write(`${shown(line)}\n`),
    config() {
      config ??= loadConfig({
        ...(globals.configFile === undefined ? {} : { file: globals.configFile }),
        env: io.env,
      });
      return config;
    },
    service(name) {
      const services = ctx.config().services;
      const found = services.find((s) => s.name === name);
      if (found) return found;
      const known = services.map((s) => s.name).join(', ');
      throw new UsageError(`Unknown service '${name}' in ${ctx.config().file}; configured: ${known}.`);
    },
    checkServiceIfConfigured(name) {
      try {
        ctx.config();
      } catch (error) {
        if (!(error instanceof ConfigurationError) || globals.configFile !== undefined) throw error;
        const headline = error instanceof ConfigError ? error.headline : error.message;
        const first = (headline.split('\n')[0] ?? '').replace(/:$/, '');
        ctx.warn(`Note: ${first}; '${name}' is checked by the deployed function only.`);
        return null;
      }
      return ctx.service(name);
    },
    tableName: () => globals.table ?? io.env.STATE_TABLE ?? `failover-controller-${globals.stage}-state`,
    store() {
      dynamo ??= new DynamoDBClient(regional);
      store ??= createStateStore({ client: dynamo, table: ctx.tableName(), clock });
      return store;
    },
    votes() {
      dynamo ??= new DynamoDBClient(regional);
      // A corrupt record is the watchdog's to rewrite; here that vantage just shows no vote.
      votes ??= createVoteStore({
        client: dynamo,
        table: ctx.tableName(),
        onCorrupt: (error) => ctx.warn(`Note: ${error.message}`),
      });
      return votes;
    },
    lambda() {
      lambda ??= new LambdaClient(regional);
      return lambda;
    },
    route53() {
      route53 ??= new Route53Client({ region: 'us-east-1' });
      return route53;
    },
    traffic() {
      traffic ??= createTrafficSwitch({ client: ctx.route53(), clock });
      return traffic;
    },
    functionName: (fn) => io.env[FUNCTION_ENV[fn]] || `failover-controller-${globals.stage}-${fn}`,
    requestedBy(as) {
      const who = as ?? `${io.env.USER ?? io.env.USERNAME ?? 'operator'}@${hostname()}`;
      return who.slice(0, MAX_REQUESTED_BY_CHARS);
    },
    close() {
      dynamo?.destroy();
      lambda?.destroy();
      route53?.destroy();
    },
  };
  return ctx;
}
