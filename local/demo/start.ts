/**
 * `npm start`: the local demo (npm runs it through cli/node-entry.cjs, which first checks the Node version).
 *   npm start -- [--config my.yml | --mode active-active] [--data-dir .demo] [--propagation realistic] [--vantages 3] [--dns-port 5353] ...
 * Ctrl-C or SIGTERM stops everything; the exit code is 0 after a clean stop, 1 when it cannot
 * start, 2 for a bad flag.
 */
import { parseArgs } from 'node:util';
import { ConfigurationError } from '../../shared/config/index.ts';
import { type Propagation, PropagationOptionError, parsePropagation } from '../route53/index.ts';
import { DEMO_MODES, type DemoMode } from './config.ts';
import { type DemoPorts, DemoSetupError, runLocalDemo } from './run.ts';
import { vantageCountProblem } from './vantages.ts';

const PORT_FLAGS = {
  'dynamodb-port': 'dynamodb',
  'route53-port': 'route53',
  'dns-port': 'dns',
  'lambda-port': 'lambda',
  'primary-port': 'primary',
  'standby-port': 'standby',
  'tertiary-port': 'tertiary',
  'web-port': 'web',
  'network-port': 'network',
  'canary-port': 'canary',
} as const satisfies Record<string, keyof DemoPorts>;

const USAGE = `Usage: npm start -- [options]

  --config <file>     a failover configuration to run locally (default: examples/local.config.yml)
  --mode active-active|active-passive
                      a three-target service on three demo backends (primary, standby, tertiary):
                      active-active carries traffic on all three by weight (50/30/20), drains a
                      DOWN one and ramps it back; active-passive sends it all to the first UP one
                      in preference order (default without --mode: the two-backend demo)
  --data-dir <dir>    keep the state table on disk here (default: in memory)
  --propagation instant|realistic|<ms>
                      how long each Route 53 change stays PENDING, the DNS answer still the old one:
                      instant (default; local only), realistic (drawn per change like Route 53's:
                      median 30 s, 90% within 60 s; see local/route53/README.md) or a fixed delay in ms
  --vantages <n>      run n watchdogs (2..5), each a vantage named for a region (us-east-1, us-east-2,
                      eu-west-1, ...) probing through its own view of the network, deciding by a
                      majority quorum; a canary backend tells a blind vantage from an outage.
                      Cut one off with curl -X POST <network view>/vantage/<region>/partition
                      (or /blind, /heal); the demo prints the commands
  --dynamodb-port, --route53-port, --dns-port, --lambda-port, --primary-port, --standby-port,
  --tertiary-port, --web-port, --network-port, --canary-port <port>
                      fixed ports on 127.0.0.1 (default: chosen at run time)
  --help              this text
`;

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      config: { type: 'string' },
      mode: { type: 'string' },
      'data-dir': { type: 'string' },
      propagation: { type: 'string' },
      vantages: { type: 'string' },
      help: { type: 'boolean' },
      ...Object.fromEntries(Object.keys(PORT_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
    },
  }));
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, 2);
}
if (values.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const ports: Partial<Record<keyof DemoPorts, number>> = {};
for (const [flag, key] of Object.entries(PORT_FLAGS)) {
  const raw = values[flag];
  if (typeof raw !== 'string') continue;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--${flag} must be a port 0..65535, got '${raw}'`, 2);
  ports[key] = port;
}

let propagation: Propagation | undefined;
if (typeof values.propagation === 'string') {
  try {
    propagation = parsePropagation(values.propagation, '--propagation');
  } catch (error) {
    if (!(error instanceof PropagationOptionError)) throw error;
    fail(`${error.message}\n\n${USAGE}`, 2);
  }
}

let mode: DemoMode | undefined;
if (typeof values.mode === 'string') {
  const given = values.mode;
  mode = DEMO_MODES.find((m) => m === given);
  if (mode === undefined) fail(`--mode must be ${DEMO_MODES.join(' or ')}, got '${given}'\n\n${USAGE}`, 2);
  if (typeof values.config === 'string') {
    fail(
      `--mode runs the embedded three-target configuration; a --config file sets its own mode. Pass one or the other.\n\n${USAGE}`,
      2,
    );
  }
}

let vantages: number | undefined;
if (typeof values.vantages === 'string') {
  vantages = Number(values.vantages);
  const problem = vantageCountProblem(vantages);
  if (problem !== undefined) fail(`--vantages ${problem}, got '${values.vantages}'\n\n${USAGE}`, 2);
}

try {
  await runLocalDemo({
    ...(typeof values.config === 'string' ? { configFile: values.config } : {}),
    ...(typeof values['data-dir'] === 'string' ? { dataDir: values['data-dir'] } : {}),
    ...(propagation === undefined ? {} : { propagation }),
    ...(mode === undefined ? {} : { mode }),
    ...(vantages === undefined ? {} : { vantages }),
    ports,
  });
  process.exitCode = 0;
  // Everything is closed; should a library keep a socket alive past this, do not hang a terminal on it.
  setTimeout(() => process.exit(0), 5000).unref();
} catch (error) {
  if (error instanceof DemoSetupError || error instanceof ConfigurationError) fail(error.message, 1);
  fail(`Cannot start the local demo: ${error instanceof Error ? error.message : String(error)}`, 1);
}
