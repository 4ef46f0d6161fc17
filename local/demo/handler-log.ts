/**
 * The handlers write their JSON logs and EMF metrics to stdout, as Lambda expects (it ships stdout
 * to CloudWatch Logs). In the demo they share a process with the live view, so while the demo runs
 * this process's stdout goes to a log file instead — the demo's "CloudWatch Logs" — and the demo
 * prints through the terminal's own write.
 */
import { createWriteStream } from 'node:fs';

export interface StdoutDiversion {
  readonly file: string;
  /** Writes to the real stdout. */
  print(text: string): void;
  /** Gives stdout back and closes the file. */
  restore(): Promise<void>;
}

type WriteCallback = (error?: Error | null) => void;

export async function divertStdout(file: string): Promise<StdoutDiversion> {
  const log = createWriteStream(file, { flags: 'a' });
  await new Promise<void>((resolve, reject) => {
    log.once('open', () => resolve());
    log.once('error', reject);
  });
  const stdout = process.stdout;
  const original = stdout.write;
  const diverted = (
    chunk: string | Uint8Array,
    encoding?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean => {
    const done = typeof encoding === 'function' ? encoding : callback;
    log.write(chunk, () => done?.());
    return true;
  };
  stdout.write = diverted as typeof stdout.write;
  let restored: Promise<void> | undefined;
  return {
    file,
    print: (text) => {
      original.call(stdout, text);
    },
    restore: () => {
      restored ??= (async () => {
        if (stdout.write === diverted) stdout.write = original;
        await new Promise<void>((resolve) => log.end(() => resolve()));
      })();
      return restored;
    },
  };
}
