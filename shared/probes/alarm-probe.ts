import { type CloudWatchClient, DescribeAlarmsCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchAlarmCheck } from '../domain/config.ts';
import type { GateState } from '../domain/ramp.ts';
import type { CheckResult } from '../domain/state.ts';
import { checkLabel } from './check-label.ts';
import { shortenReason } from './reason-text.ts';

/** DescribeAlarms accepts at most 100 alarm names per call. */
export const DESCRIBE_ALARMS_MAX_NAMES = 100;

/** What one DescribeAlarms batch found: each named alarm's state, or why the batch failed. */
type BatchOutcome =
  | {
      readonly ok: true;
      readonly states: ReadonlyMap<string, StateValue | undefined>;
      readonly latencyMs: number;
    }
  | { readonly ok: false; readonly reason: string; readonly latencyMs: number };

class DeadlinePassed extends Error {
  override readonly name = 'DeadlinePassed';
}

/**
 * Probes CloudWatch alarms in batches: one `DescribeAlarms` call per 100 distinct names, so a round
 * costs one call however many services watch alarms. An alarm is healthy unless it is in `ALARM`
 * (`OK` and `INSUFFICIENT_DATA` pass); an alarm that does not exist fails. Each batch is bounded by the
 * longest `timeoutMs` of its checks. Never throws; results come back in the order of `checks`.
 *
 * @example
 * const cloudwatch = new CloudWatchClient({}); // module scope; honours AWS_ENDPOINT_URL_CLOUDWATCH
 * const [result] = await probeAlarms(cloudwatch, [{ kind: 'cloudwatch-alarm', alarmName: 'payments-5xx', timeoutMs: 3000 }]);
 * // { check: 'alarm payments-5xx', ok: true, latencyMs: 38, reason: 'state OK' }
 */
export async function probeAlarms(
  client: CloudWatchClient | undefined,
  checks: readonly CloudWatchAlarmCheck[],
): Promise<CheckResult[]> {
  if (client === undefined) {
    return checks.map((check) => ({
      check: checkLabel(check),
      ok: false,
      latencyMs: 0,
      reason: 'no CloudWatch client configured for alarm checks',
    }));
  }
  const results: CheckResult[] = [];
  const batches = chunk([...new Set(checks.map((check) => check.alarmName))], DESCRIBE_ALARMS_MAX_NAMES);
  await Promise.all(
    batches.map(async (names) => {
      const members = new Set(names);
      const outcome = await describeBatch(client, names, longestTimeout(checks, members));
      checks.forEach((check, index) => {
        if (members.has(check.alarmName)) results[index] = judgeAlarm(check, outcome);
      });
    }),
  );
  return results;
}

function judgeAlarm(check: CloudWatchAlarmCheck, outcome: BatchOutcome): CheckResult {
  const base = { check: checkLabel(check), latencyMs: outcome.latencyMs };
  if (!outcome.ok) return { ...base, ok: false, reason: outcome.reason };
  // The batch waits for its slowest check's timeout; a check with a shorter one still fails on time.
  if (outcome.latencyMs > check.timeoutMs) {
    return { ...base, ok: false, reason: `timeout after ${check.timeoutMs} ms` };
  }
  if (!outcome.states.has(check.alarmName)) {
    return {
      ...base,
      ok: false,
      reason: shortenReason(`no alarm named ${check.alarmName} (check name and region)`),
    };
  }
  const state = outcome.states.get(check.alarmName) ?? 'unknown';
  // Cut like every reason: the state comes from the wire, and a reason must fit a flip request.
  return { ...base, ok: state !== 'ALARM', reason: shortenReason(`state ${state}`) };
}

async function describeBatch(
  client: CloudWatchClient,
  names: string[],
  timeoutMs: number,
): Promise<BatchOutcome> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // Racing the timer as well as aborting: the round ends on time even if a transport ignores the signal.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new DeadlinePassed());
    }, timeoutMs);
  });
  try {
    const states = await Promise.race([readStates(client, names, abort.signal), deadline]);
    return { ok: true, states, latencyMs: latency() };
  } catch (error) {
    const reason =
      error instanceof DeadlinePassed
        ? `timeout after ${timeoutMs} ms`
        : `cannot read alarm: ${describe(error)}`;
    return { ok: false, reason: shortenReason(reason), latencyMs: latency() };
  } finally {
    clearTimeout(timer);
  }
}

async function readStates(
  client: CloudWatchClient,
  names: string[],
  abortSignal: AbortSignal,
): Promise<Map<string, StateValue | undefined>> {
  const states = new Map<string, StateValue | undefined>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new DescribeAlarmsCommand({
        AlarmNames: names,
        // Without AlarmTypes, DescribeAlarms leaves composite alarms out.
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: DESCRIBE_ALARMS_MAX_NAMES,
        NextToken: nextToken,
      }),
      { abortSignal },
    );
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      if (alarm.AlarmName !== undefined) states.set(alarm.AlarmName, alarm.StateValue);
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
  return states;
}

function longestTimeout(checks: readonly CloudWatchAlarmCheck[], names: ReadonlySet<string>): number {
  return Math.max(...checks.filter((check) => names.has(check.alarmName)).map((check) => check.timeoutMs));
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * What an alarm check's result says for the gate of a ramp step (issue #13): `OK` and `ALARM` as
 * read; anything else — `INSUFFICIENT_DATA`, a missing alarm, a failed or slow call — holds the step
 * (`INSUFFICIENT_DATA`), so a step never advances on an alarm that could not be read.
 *
 * @example
 * gateOfAlarm({ check: 'alarm payments-5xx', ok: true, latencyMs: 38, reason: 'state OK' }); // 'OK'
 */
export function gateOfAlarm(result: CheckResult): GateState {
  if (result.reason === 'state OK') return 'OK';
  if (result.reason === 'state ALARM') return 'ALARM';
  return 'INSUFFICIENT_DATA';
}
