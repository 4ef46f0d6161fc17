/**
 * The local demo as a command runs it (`npm start`, `failoverctl local`): start, run until the
 * signal aborts (or, without one, until Ctrl-C / SIGTERM), stop everything.
 */
import { type LocalDemo, type LocalDemoOptions, startLocalDemo } from './demo.ts';

export type { DemoPorts, DemoTiming, LocalDemo, LocalDemoOptions } from './demo.ts';
export { startLocalDemo } from './demo.ts';
export { DemoSetupError } from './errors.ts';

export interface RunLocalDemoOptions extends LocalDemoOptions {
  /** Stops the demo when it aborts. Without one, SIGINT and SIGTERM stop it (a second one exits at once). */
  readonly signal?: AbortSignal;
}

/**
 * Runs the demo until `signal` aborts; resolves once everything is stopped. Throws `DemoSetupError`
 * or `ConfigError` (with a message for a person) when it cannot start.
 *
 * @example
 * await runLocalDemo({ configFile: 'my.yml' }); // until Ctrl-C
 */
export async function runLocalDemo(options: RunLocalDemoOptions = {}): Promise<void> {
  const { signal, ...demoOptions } = options;
  const stop = signal === undefined ? stopOnSignals() : { signal, dispose: () => {} };
  try {
    if (stop.signal.aborted) return;
    const demo: LocalDemo = await startLocalDemo(demoOptions);
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      else stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await demo.stop();
  } finally {
    stop.dispose();
  }
}

/** SIGINT/SIGTERM abort the signal; a second one while stopping exits at once (130). */
function stopOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      process.stderr.write('\nStopping at once.\n');
      process.exit(130);
    }
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
