/**
 * Runs the local CloudWatch on its own:
 *   node local/cloudwatch/serve.ts [--host 127.0.0.1] [--port 0] [--region us-east-1] [--evaluation-delay-ms 0]
 * Prints one JSON line `{"endpoint": ..., "region": ..., "evaluationDelayMs": ...}` and runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { wholeOption } from '../serve-options.ts';
import { startLocalCloudWatch } from './index.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    region: { type: 'string', default: 'us-east-1' },
    'evaluation-delay-ms': { type: 'string', default: '0' },
  },
});

const evaluationDelayMs = wholeOption('evaluation-delay-ms', values['evaluation-delay-ms']);
const cw = await startLocalCloudWatch({
  host: values.host,
  port: wholeOption('port', values.port),
  region: values.region,
  evaluationDelayMs,
});
process.stdout.write(`${JSON.stringify({ endpoint: cw.endpoint, region: cw.region, evaluationDelayMs })}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cw.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`local CloudWatch: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
