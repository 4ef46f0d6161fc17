/**
 * Runs `failoverctl` in this process, as a person would from a shell on this machine: real SDK
 * clients, pointed at the local stack by the `AWS_ENDPOINT_URL_*` variables it set.
 */
import { Writable } from 'node:stream';
import { main } from '../../../cli/main.ts';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** `failoverctl ...argv` with the process environment plus `env`. */
export async function runCli(argv: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out = capture();
  const err = capture();
  const code = await main(argv, { out: out.stream, err: err.stream, env: { ...process.env, ...env } });
  return { code, out: out.text(), err: err.text() };
}
