/**
 * Plays the EventBridge schedule of the watchdog: one scheduled run after another, each given a
 * Lambda context whose remaining time counts down from the function's timeout, as in AWS
 * (`rate(1 minute)`, `timeout: 60` in serverless.yml; shorter in tests).
 *
 *   scheduled  |run 1 ........ rounds every probeIntervalSeconds ..|  |run 2 .........
 *   time       t0                                         ends ~2 s   t0+period
 *                                                         before its deadline
 *
 * Stopping makes the remaining time 0: the handler finishes the round in hand, waits for its
 * notifications and audit writes, and returns, as a run at its deadline does.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WatchdogReport } from '../../shared/controller/watchdog.ts';
import type { InvocationContext } from '../lambda/index.ts';

export type WatchdogLambda = (event: unknown, context: InvocationContext) => Promise<WatchdogReport>;

export interface ScheduleOptions {
  readonly handler: WatchdogLambda;
  /** The schedule's period and the run's timeout, in seconds. */
  readonly runSeconds: number;
  readonly functionName: string;
  readonly onRun?: (report: WatchdogReport) => void;
  readonly onError: (error: unknown) => void;
}

export interface WatchdogSchedule {
  /** Runs completed so far. */
  runs(): number;
  /** Ends the run in hand at its next round and waits for it; no run starts after. */
  stop(): Promise<void>;
}

export function playSchedule(options: ScheduleOptions): WatchdogSchedule {
  const stopping = new AbortController();
  const periodMs = options.runSeconds * 1000;
  let completed = 0;

  const loop = async () => {
    let scheduledAt = Date.now();
    while (!stopping.signal.aborted) {
      const deadline = Date.now() + periodMs;
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
      };
      try {
        const report = await options.handler(event, context);
        completed++;
        options.onRun?.(report);
      } catch (error) {
        options.onError(error);
      }
      scheduledAt += periodMs;
      // Fell a whole period behind (the machine slept): the next run is now, as a fresh schedule.
      if (scheduledAt < Date.now() - periodMs) scheduledAt = Date.now();
      await sleep(Math.max(0, scheduledAt - Date.now()), undefined, { signal: stopping.signal }).catch(
        () => undefined,
      );
    }
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
