/**
 * Runs the local Route 53 on its own:
 *   node local/route53/serve.ts [--host 127.0.0.1] [--port 0] [--dns-port 0]
 *     [--propagation instant|realistic|<ms>] [--in-sync-delay-ms 0]
 * Prints one JSON line `{"endpoint": ..., "dnsPort": ..., "propagation": ...}` and runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { wholeOption } from '../serve-options.ts';
import { startLocalRoute53 } from './index.ts';
import {
  describePropagation,
  type Propagation,
  PropagationOptionError,
  parsePropagation,
} from './propagation.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'dns-port': { type: 'string', default: '0' },
    'in-sync-delay-ms': { type: 'string', default: '0' },
    propagation: { type: 'string' },
  },
});

function propagationOf(text: string | undefined): Propagation | undefined {
  if (text === undefined) return undefined;
  try {
    return parsePropagation(text, '--propagation');
  } catch (error) {
    if (!(error instanceof PropagationOptionError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

const propagation = propagationOf(values.propagation);
const r53 = await startLocalRoute53({
  host: values.host,
  port: wholeOption('port', values.port),
  dnsPort: wholeOption('dns-port', values['dns-port']),
  inSyncDelayMs: wholeOption('in-sync-delay-ms', values['in-sync-delay-ms']),
  ...(propagation === undefined ? {} : { propagation }),
});
process.stdout.write(
  `${JSON.stringify({ endpoint: r53.endpoint, dnsPort: r53.dnsPort, propagation: describePropagation(r53.propagation) })}\n`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    r53.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`local Route 53: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
