/**
 * The local demo: the local stack, the demo backends the configuration references, the hosted
 * zones and weighted records it names, the real watchdog handler played on its schedule, and a
 * live view of the state table.
 *
 * Primary course:
 *  1. Read the configuration; start the demo backends it references and fill in their URLs
 *  2. Write the resolved configuration (validated) to the state directory
 *  3. Start the local stack (dynalite, Route 53 API + DNS, Lambda stand-in with the flip handlers)
 *  4. Create the hosted zones and seed each service's weighted records (traffic where the state says);
 *     for a `dataPlane` service, provision its alarms and health checks and attach them (data-plane.ts)
 *  5. Print what to try; divert the handlers' stdout to a log file
 *  6. Play the watchdog schedule and show the state as it changes (terminal and web page)
 *
 * With `vantages` (`--vantages 3`, issue #11): a canary backend and the vantages' network view start
 * with the backends; the configuration gets a `vantages:` block and each vantage a copy whose checks
 * go through its own path of the network (vantages.ts); one schedule per vantage plays the real
 * watchdog handler as that vantage; the views show each vantage's votes and the quorum's verdict.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { DNS_SERVER_ENV } from '../../cli/dns-watch.ts';
import { createStateStore } from '../../shared/aws/state-store.ts';
import { createVoteStore } from '../../shared/aws/vote-store.ts';
import { type Runtime, runtime } from '../../shared/controller/runtime.ts';
import type { ControllerConfig, TargetId } from '../../shared/domain/config.ts';
import { type DemoBackend, startDemoBackend } from '../backend/index.ts';
import type { Propagation } from '../route53/index.ts';
import { type LocalStack, startLocalStack } from '../stack.ts';
import { startVantageNetwork, type VantageNetwork } from '../vantage/network.ts';
import {
  DEMO_ENV,
  type DemoMode,
  type DemoPolicyOverrides,
  MODE_CONFIGS,
  readDemoConfigSource,
  writeDemoConfig,
} from './config.ts';
import { type DemoDataPlane, setUpDataPlane } from './data-plane.ts';
import { DemoSetupError } from './errors.ts';
import { envScript, guide } from './guide.ts';
import { divertStdout, type StdoutDiversion } from './handler-log.ts';
import { startLiveView } from './live-view.ts';
import { DEPLOYED_PERIOD_SECONDS, playSchedule, type WatchdogLambda } from './schedule.ts';
import { planSeed, SEEDED_TTL, seedRoute53 } from './seed.ts';
import { type VantageConfig, vantageCountProblem, vantagesBlock, writeVantageConfigs } from './vantages.ts';
import { startWebView } from './web-view.ts';

export interface DemoPorts {
  readonly dynamodb?: number;
  readonly route53?: number;
  readonly dns?: number;
  readonly lambda?: number;
  /** The demo backends (only started when the configuration references them). */
  readonly primary?: number;
  readonly standby?: number;
  /** The third demo backend (`--mode`, or a configuration that references FAILOVER_DEMO_TERTIARY_URL). */
  readonly tertiary?: number;
  /** The read-only web view. */
  readonly web?: number;
  /** With vantages: the vantages' network view (and its control API) and the canary backend. */
  readonly network?: number;
  readonly canary?: number;
}

export interface DemoTiming extends DemoPolicyOverrides {
  /** Seconds between scheduled watchdog runs, and each run's timeout (default 60, as deployed). */
  readonly runSeconds?: number;
  /** How often the live view reads the state table (default 1000 ms). */
  readonly viewIntervalMs?: number;
  /**
   * The local CloudWatch's clock runs this many times faster than real time (default 1): at 60 a
   * 60 s alarm period, and so a data-plane move, takes a second. For tests.
   */
  readonly cloudwatchTimeScale?: number;
}

export interface LocalDemoOptions {
  /** Default: the embedded `examples/local.config.yml` (or the `mode`'s embedded configuration). */
  readonly configFile?: string;
  /**
   * Issue #13: a three-target service on three demo backends (primary, standby, tertiary), in
   * `active-active` (weights 50/30/20) or `active-passive` (a preference list); its records are
   * seeded with a short TTL so a ramp's step holds last seconds. Not with `configFile` (that file
   * sets its own mode). Absent: the two-backend demo.
   */
  readonly mode?: DemoMode;
  /** Keep the state table (and the written config, env.sh, handler log) here; else in memory and a temp dir. */
  readonly dataDir?: string;
  /** Default: every port chosen at run time. */
  readonly ports?: DemoPorts;
  /** Where the guide and the live view go (default stdout). */
  readonly out?: NodeJS.WritableStream;
  /** `tty`: status lines redrawn in place; `events`: a line per change. Default: `tty` when `out` is a terminal. */
  readonly view?: 'tty' | 'events';
  /** Faster timing for tests: overrides of `defaults` in the configuration, and the run length. */
  readonly timing?: DemoTiming;
  /**
   * `file` (default): this process's stdout — the handlers' JSON logs and metrics — goes to
   * `handlers.log` in the state directory while the demo runs; `stdout`: left alone.
   */
  readonly handlerLogs?: 'file' | 'stdout';
  /**
   * How long each Route 53 change the controller makes stays PENDING (and the DNS answer stays the
   * old one): default instant (local only). The seeded records are served at once either way.
   */
  readonly propagation?: Propagation;
  /**
   * Run this many watchdogs (2..5), each a vantage named for a region (us-east-1, us-east-2,
   * eu-west-1, ...), each probing through its own view of the network, deciding by a majority
   * quorum; a canary backend tells a blind vantage from an outage. Default: one watchdog, as deployed
   * without `vantages`.
   */
  readonly vantages?: number;
}

/** The demo's vantages, when it runs several. */
export interface DemoVantages {
  /** Each vantage's view of the network; its control API cuts one off (`POST /vantage/<v>/partition`). */
  readonly network: VantageNetwork;
  /** The backend every sighted vantage reaches (outside both targets). */
  readonly canary: DemoBackend;
  /** Each vantage with the configuration its watchdog runs. */
  readonly configs: readonly VantageConfig[];
}

export interface LocalDemo {
  readonly stack: LocalStack;
  readonly backends: DemoBackends;
  /** With `vantages`: the network view, the canary and each vantage's configuration; else null. */
  readonly vantages: DemoVantages | null;
  /** Issue #12: each `dataPlane` service with the health checks attached to its records at start. */
  readonly dataPlane: readonly DemoDataPlane[];
  readonly dnsPort: number;
  /** The read-only web view of the live state: `http://127.0.0.1:<port>/`. */
  readonly webUrl: string;
  /** The configuration the watchdog runs (loaded from `configFile`). */
  readonly config: ControllerConfig;
  /** The resolved configuration file (`FAILOVER_CONFIG` for other shells). */
  readonly configFile: string;
  /** `export` lines for another shell. */
  readonly envFile: string;
  readonly handlerLogFile: string | undefined;
  readonly stateDir: string;
  /** Watchdog runs completed (of every vantage). */
  runs(): number;
  /** Reads the state table now and prints what changed. */
  refresh(): Promise<void>;
  /** Stops the schedule (awaiting the run in hand), the view, the stack and the backends. Idempotent. */
  stop(): Promise<void>;
}

/** The demo backends the configuration references, by role. */
export interface DemoBackends {
  readonly primary?: DemoBackend;
  readonly standby?: DemoBackend;
  readonly tertiary?: DemoBackend;
}

/** Record values of the demo backends, shown by `dig` (CNAME targets need names, not 127.0.0.1). */
const DEMO_NAMES = {
  primary: 'primary.demo.internal',
  standby: 'standby.demo.internal',
  tertiary: 'tertiary.demo.internal',
} as const;

const DEMO_URL_VARIABLES = {
  primary: DEMO_ENV.primaryUrl,
  standby: DEMO_ENV.standbyUrl,
  tertiary: DEMO_ENV.tertiaryUrl,
} as const;

/**
 * The TTL of the records a `--mode` demo seeds: a ramp holds each step at least the TTL (clients
 * must really have moved), so with the default's 60 s a ramp back of three steps would take minutes.
 */
const MODE_SEEDED_TTL = 5;

let started = false;

/**
 * Starts the demo and returns once the first watchdog run is under way.
 *
 * @example
 * const demo = await startLocalDemo({ out: process.stdout });
 * // curl -X POST ${demo.backends.primary?.url}/fail ; dig @127.0.0.1 -p ${demo.dnsPort} api.demo.internal CNAME
 * await demo.stop();
 */
export async function startLocalDemo(options: LocalDemoOptions = {}): Promise<LocalDemo> {
  // The handlers build their runtime (config, SDK clients) once per process, like a Lambda cold start.
  if (started) {
    throw new DemoSetupError(
      'The local demo runs once per process: the handlers keep their cold-start configuration and clients. Start a new process.',
    );
  }
  started = true;
  const undo: (() => Promise<void>)[] = [];
  const unwind = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    return await start(options, undo, unwind);
  } catch (error) {
    await unwind();
    started = false; // no handler ran yet (the watchdog is the last thing started): a new try is clean
    throw error;
  }
}

async function start(
  options: LocalDemoOptions,
  undo: (() => Promise<void>)[],
  unwind: () => Promise<void>,
): Promise<LocalDemo> {
  const out = options.out ?? process.stdout;
  const timing = options.timing ?? {};
  const runSeconds = timing.runSeconds ?? 60;
  if (options.vantages !== undefined) {
    const problem = vantageCountProblem(options.vantages);
    if (problem !== undefined) throw new DemoSetupError(`--vantages ${problem}, got ${options.vantages}`);
  }

  if (options.mode !== undefined && options.configFile !== undefined) {
    throw new DemoSetupError(
      `--mode ${options.mode} runs the embedded three-target configuration; a --config file sets its own mode (mode: active-active, targets:). Pass one or the other.`,
    );
  }

  // 1. The configuration and the backends it references.
  const source = await readDemoConfigSource(
    options.mode === undefined ? options.configFile : MODE_CONFIGS[options.mode],
  );
  const stateDir =
    options.dataDir === undefined
      ? await mkdtemp(join(tmpdir(), 'failover-demo-'))
      : resolve(options.dataDir);
  if (options.dataDir === undefined) undo.push(() => rm(stateDir, { recursive: true, force: true }));
  else await mkdir(stateDir, { recursive: true });

  const backends: { primary?: DemoBackend; standby?: DemoBackend; tertiary?: DemoBackend } = {};
  const values: Record<string, string> = {};
  const demoNames = new Map<string, string>();
  for (const role of ['primary', 'standby', 'tertiary'] as const) {
    if (!source.wants[role]) continue;
    const backend = await startDemoBackend(role, { port: options.ports?.[role] ?? 0 });
    undo.push(() => backend.close());
    backends[role] = backend;
    values[DEMO_URL_VARIABLES[role]] = backend.url;
    demoNames.set(new URL(backend.url).origin, DEMO_NAMES[role]);
  }
  Object.assign(process.env, values);
  let network: VantageNetwork | undefined;
  let canary: DemoBackend | undefined;
  if (options.vantages !== undefined) {
    canary = await startDemoBackend('canary', { port: options.ports?.canary ?? 0 });
    undo.push(() => canary?.close() ?? Promise.resolve());
    network = await startVantageNetwork({ port: options.ports?.network ?? 0 });
    undo.push(() => network?.close() ?? Promise.resolve());
  }

  // 2. The resolved configuration, validated before anything else starts; with vantages, each one's copy.
  const configFile = join(stateDir, 'failover.config.yml');
  const config = await writeDemoConfig(
    source,
    values,
    timing,
    configFile,
    options.vantages === undefined || canary === undefined
      ? undefined
      : vantagesBlock(options.vantages, `${canary.url}/health`),
  );
  planSeed(config, new Map(), demoNames); // fail fast, before the stack starts
  const vantages: DemoVantages | null =
    network === undefined || canary === undefined
      ? null
      : { network, canary, configs: await writeVantageConfigs(configFile, config, network, stateDir) };

  // 3. The stack. The demo never uses the caller's AWS credentials: nothing here may reach AWS.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const dynamoDir = options.dataDir === undefined ? undefined : join(stateDir, 'dynamodb');
  const scale = timing.cloudwatchTimeScale ?? 1;
  const zero = Date.now();
  const stack = await startLocalStack({
    ...(scale === 1 ? {} : { cloudwatch: { now: () => zero + (Date.now() - zero) * scale } }),
    ...(dynamoDir === undefined ? {} : { dataDir: dynamoDir }),
    ports: {
      ...(options.ports?.dynamodb === undefined ? {} : { dynamodb: options.ports.dynamodb }),
      ...(options.ports?.route53 === undefined ? {} : { route53: options.ports.route53 }),
      ...(options.ports?.dns === undefined ? {} : { dns: options.ports.dns }),
      ...(options.ports?.lambda === undefined ? {} : { lambda: options.ports.lambda }),
    },
  });
  undo.push(() => stack.close());
  process.env.FAILOVER_CONFIG = configFile;

  // 4. Zones and records; traffic where the state table (kept with --data-dir) says it is.
  const dynamo = new DynamoDBClient({ endpoint: stack.dynamo.endpoint });
  undo.push(async () => dynamo.destroy());
  const table = stack.env.STATE_TABLE ?? '';
  const store = createStateStore({ client: dynamo, table });
  const names = config.services.map((s) => s.name);
  const stored = await store.loadAll(names);
  const active = new Map<string, TargetId>([...stored].map(([name, state]) => [name, state.value.active]));
  // Active-active: the decided weight map, where the state table (kept with --data-dir) has one.
  const weights = new Map(
    [...stored].flatMap(([name, state]) =>
      state.value.shares === undefined ? [] : [[name, state.value.shares.weights] as const],
    ),
  );
  const seed = planSeed(config, active, demoNames, {
    weights,
    ttl: options.mode === undefined ? SEEDED_TTL : MODE_SEEDED_TTL,
  });
  const route53 = new Route53Client({ endpoint: stack.route53.endpoint, region: 'us-east-1' });
  try {
    await seedRoute53(seed, stack.route53, route53);
  } finally {
    route53.destroy();
  }
  // Issue #12: the alarms and health checks a deploy makes, attached once, as an operator would.
  const dataPlane = await setUpDataPlane(config, stack);
  // Seeded instantly (as if made long ago); every change from here on propagates as chosen.
  const propagation: Propagation = options.propagation ?? { kind: 'instant' };
  stack.route53.setPropagation(propagation);

  // 5. The web view, the guide, then the handlers' stdout to a file.
  const web = await startWebView({
    services: config.services,
    dnsPort: stack.route53.dnsPort,
    ...(config.vantages === undefined ? {} : { vantages: config.vantages }),
    ...(options.ports?.web === undefined ? {} : { port: options.ports.web }),
  });
  undo.push(() => web.close());
  const exports: Record<string, string> = {
    ...stack.env,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    FAILOVER_CONFIG: configFile,
    // The demo's zones list made-up name servers: `failoverctl drill` watches this responder instead.
    [DNS_SERVER_ENV]: `127.0.0.1:${stack.route53.dnsPort}`,
  };
  const envFile = join(stateDir, 'env.sh');
  await writeFile(envFile, envScript(exports));
  const handlerLogFile = options.handlerLogs === 'stdout' ? undefined : join(stateDir, 'handlers.log');
  let diversion: StdoutDiversion | undefined;
  if (handlerLogFile !== undefined) {
    diversion = await divertStdout(handlerLogFile);
    undo.push(() => diversion?.restore() ?? Promise.resolve());
  }
  const print =
    diversion !== undefined && out === process.stdout
      ? diversion.print
      : (text: string) => void out.write(text);
  print(
    guide({
      config,
      source: source.file,
      seed,
      endpoints: {
        dynamodb: stack.dynamo.endpoint,
        route53: stack.route53.endpoint,
        lambda: stack.lambda.endpoint,
      },
      dnsPort: stack.route53.dnsPort,
      propagation,
      webUrl: web.url,
      table,
      functions: Object.entries(stack.env)
        .filter(([name]) => name.endsWith('_FUNCTION_NAME'))
        .map(([, value]) => value),
      dynamoDir,
      backends,
      vantages,
      dataPlane,
      runSeconds,
      envFile,
      exports,
      handlerLogFile,
    }),
  );

  // 6. The schedule and the live view.
  const tty = options.view === undefined ? isTerminal(out) : options.view === 'tty';
  const view = startLiveView({
    store,
    services: config.services,
    print,
    tty,
    columns: () => columnsOf(out),
    intervalMs: timing.viewIntervalMs ?? 1000,
    onReading: (reading) => web.record(reading),
    ...(config.vantages === undefined
      ? {}
      : { votes: { store: createVoteStore({ client: dynamo, table }), vantages: config.vantages } }),
  });
  undo.push(() => view.stop());
  const { handler, watchdogHandler } = await import('../../functions/watchdog.ts');
  // The deployed timeout in proportion to the deployed period, so runs overlap as they do on AWS.
  const deployedTimeout = stack.settings.functions.get('watchdog')?.timeoutSeconds ?? DEPLOYED_PERIOD_SECONDS;
  // One watchdog, or one per vantage: the real handler with the runtime a deployment in that region
  // builds (its own configuration, VANTAGE its region), the clients and the table shared.
  const watchdogs: { name: string; handler: WatchdogLambda }[] =
    vantages === null
      ? [{ name: 'failover-controller-local-watchdog', handler: handler as unknown as WatchdogLambda }]
      : vantages.configs.map(({ vantage, config: own }) => ({
          name: `failover-controller-local-watchdog-${vantage}`,
          handler: watchdogHandler(
            (): Runtime => ({ ...runtime('watchdog'), config: own, vantage }),
          ) as unknown as WatchdogLambda,
        }));
  const schedules = watchdogs.map((watchdog) =>
    playSchedule({
      handler: watchdog.handler,
      runSeconds,
      timeoutSeconds: (runSeconds * deployedTimeout) / DEPLOYED_PERIOD_SECONDS,
      functionName: watchdog.name,
      onError: (error) => {
        const message = error instanceof Error ? error.message : String(error);
        const which =
          vantages === null ? 'watchdog' : watchdog.name.replace(/^failover-controller-local-/, '');
        print(
          `${new Date().toLocaleTimeString('en-GB', { hour12: false })}  ${which} run failed: ${message}\n`,
        );
      },
    }),
  );
  undo.push(async () => {
    await Promise.all(schedules.map((schedule) => schedule.stop()));
    await stack.lambda.idle(); // flips the last run invoked finish (and log) before stdout is given back
    await view.refresh().catch(() => undefined);
  });

  let stopping: Promise<void> | undefined;
  return {
    stack,
    backends,
    vantages,
    dataPlane,
    dnsPort: stack.route53.dnsPort,
    webUrl: web.url,
    config,
    configFile,
    envFile,
    handlerLogFile,
    stateDir,
    runs: () => schedules.reduce((sum, schedule) => sum + schedule.runs(), 0),
    refresh: () => view.refresh(),
    stop: () => {
      stopping ??= (async () => {
        view.say(['Stopping: the watchdog ends its run after the round in hand, then everything closes.']);
        await unwind();
        print(
          dynamoDir === undefined
            ? 'Stopped.\n'
            : `Stopped. The state table is kept in ${dynamoDir}; start again with --data-dir ${stateDir}.\n`,
        );
      })();
      return stopping;
    },
  };
}

function isTerminal(out: NodeJS.WritableStream): boolean {
  return 'isTTY' in out && out.isTTY === true;
}

function columnsOf(out: NodeJS.WritableStream): number | undefined {
  return 'columns' in out && typeof out.columns === 'number' ? out.columns : undefined;
}
