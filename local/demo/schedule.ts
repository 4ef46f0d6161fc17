/**
 * Plays the EventBridge schedule of the watchdog as EventBridge and Lambda would: a new run every
 * period whether or not the previous one has returned, each given a Lambda context whose remaining
 * time counts down from the function's timeout (`rate(1 minute)` and `timeout: 90` in
 * serverless.yml; shorter in tests, same proportion), and an event naming the period, so the runs
 * overlap and hand over (shared/controller/watchdog-handover.ts).
 *
 *   scheduled  |run 1 ........ rounds every probeIntervalSeconds ......|hands over
 *                                          |run 2 (claims) ... rounds ............|hands over
 *   time       t0                          t0+period                   t0+2 periods
 *
 * Stopping makes the remaining time 0: each run in hand finishes its round, waits for its
 * notifications and audit writes, and returns, as a run at its deadline does.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WatchdogReport } from '../../shared/controller/watchdog.ts';
import type { InvocationContext } from '../lambda/index.ts';

export type WatchdogLambda = (event: unknown, context: InvocationContext) => Promise<WatchdogReport>;

/** serverless.yml's schedule period (`rate(1 minute)`): the deployed timeout is relative to it. */
export const DEPLOYED_PERIOD_SECONDS = 60;

export interface ScheduleOptions {
  readonly handler: WatchdogLambda;
  /** The schedule's period, in seconds. */
  readonly runSeconds: number;
  /** Each run's Lambda timeout, in seconds; longer than the period, so runs overlap. Default: the period. */
  readonly timeoutSeconds?: number;
  readonly functionName: string;
  readonly onRun?: (report: WatchdogReport) => void;
  readonly onError: (error: unknown) => void;
}

export interface WatchdogSchedule {
  /** Runs completed so far. */
  runs(): number;
  /** Ends the runs in hand at their next round and waits for them; no run starts after. */
  stop(): Promise<void>;
}

/**
 * @example
 * const schedule = playSchedule({ handler, runSeconds: 60, timeoutSeconds: 90, functionName, onError });
 * await schedule.stop();
 */
export function playSchedule(options: ScheduleOptions): WatchdogSchedule {
  const stopping = new AbortController();
  const periodMs = options.runSeconds * 1000;
  const timeoutMs = (options.timeoutSeconds ?? options.runSeconds) * 1000;
  const inFlight = new Set<Promise<void>>();
  let completed = 0;

  const invoke = async (scheduledAt: number) => {
    const deadline = Date.now() + timeoutMs;
    const context: InvocationContext = {
      functionName: options.functionName,
      awsRequestId: randomUUID(),
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${options.functionName}`,
      memoryLimitInMB: '256',
      getRemainingTimeInMillis: () => (stopping.signal.aborted ? 0 : Math.max(0, deadline - Date.now())),
      callbackWaitsForEmptyEventLoop: true,
    };
    const event = {
      source: 'failover-controller.schedule',
      time: new Date(scheduledAt).toISOString(),
      id: randomUUID(),
      periodSeconds: options.runSeconds,
    };
    try {
      const report = await options.handler(event, context);
      completed++;
      options.onRun?.(report);
    } catch (error) {
      options.onError(error);
    }
  };

  const loop = async () => {
    let scheduledAt = Date.now();
    while (!stopping.signal.aborted) {
      // Not awaited: the next run starts on time even while this one is still probing.
      const run = invoke(scheduledAt);
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
      scheduledAt += periodMs;
      // Fell a whole period behind (the machine slept): the next run is now, as a fresh schedule.
      if (scheduledAt < Date.now() - periodMs) scheduledAt = Date.now();
      await sleep(Math.max(0, scheduledAt - Date.now()), undefined, { signal: stopping.signal }).catch(
        () => undefined,
      );
    }
    await Promise.all(inFlight);
  };
  const running = loop();

  return {
    runs: () => completed,
    stop: async () => {
      stopping.abort();
      await running;
    },
  };
}
