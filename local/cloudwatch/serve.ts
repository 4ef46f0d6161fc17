/**
 * Runs the local CloudWatch on its own:
 *   node local/cloudwatch/serve.ts [--host 127.0.0.1] [--port 0] [--region us-east-1] [--evaluation-delay-ms 0]
 * Prints one JSON line `{"endpoint": ..., "region": ..., "evaluationDelayMs": ...}` and runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startLocalCloudWatch } from './index.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    region: { type: 'string', default: 'us-east-1' },
    'evaluation-delay-ms': { type: 'string', default: '0' },
  },
});

function whole(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${option} must be a whole number >= 0, got '${value}'\n`);
    process.exit(2);
  }
  return n;
}

const evaluationDelayMs = whole('evaluation-delay-ms', values['evaluation-delay-ms']);
const cw = await startLocalCloudWatch({
  host: values.host,
  port: whole('port', values.port),
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
