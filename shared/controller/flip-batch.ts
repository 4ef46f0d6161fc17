/**
 * The watchdog's batch of moves: every move of one direction it decided in a round for the services
 * of one hosted zone, carried out by one invocation with one Route 53 compare-and-swap batch per
 * zone (issue #10). Each move keeps its own fence, epoch, claim, audit event and notification; a
 * stale record of one service never holds the others back.
 *
 *   watchdog round ──{ moves: [a@e3, b@e7, c@e1] }──> failover ──fence+claim each──> one CAS batch ──> record each
 *
 * Payload: `{ moves: [<flip request with epoch>, …] }` (1..`MAX_BATCH_MOVES`). Operators send single
 * requests; a batch is the watchdog's only, so every move in it must carry its epoch.
 */
import { z } from 'zod';
import type { Direction } from '../domain/move.ts';
import { type FlipDeps, type FlipResponse, moveLog, resolveMove, respond } from './flip.ts';
import { parseFlipRequest } from './flip-request.ts';
import { type BatchItem, executeMoves, FlipError, type Milestones } from './move-execution.ts';
import { parseStrictPayload } from './strict-payload.ts';

/** At most this many moves in one invocation (and the watchdog splits to stay under 256 KB). */
export const MAX_BATCH_MOVES = 100;

const batch = z.strictObject({
  moves: z.array(z.unknown()).min(1).max(MAX_BATCH_MOVES),
});

export interface FlipBatchResponse {
  /** One answer per move, in the order sent. */
  readonly outcomes: readonly FlipResponse[];
  /** `rejected`: what was wrong with the batch itself. */
  readonly errors?: readonly string[];
}

/** Whether an invocation payload is a batch of moves rather than one request. */
export function isFlipBatch(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) && 'moves' in payload;
}

/**
 * @example
 * await runFlipBatch(deps, 'failover', { moves: [{ service: 'a', epoch: 3, reason: '…' }, { service: 'b', epoch: 1, reason: '…' }] });
 * // => { outcomes: [{ service: 'a', outcome: 'failed-over', … }, { service: 'b', outcome: 'failed-over', … }] }
 */
export async function runFlipBatch(
  deps: FlipDeps,
  direction: Direction,
  payload: unknown,
): Promise<FlipBatchResponse> {
  const startedAt = deps.clock.now();
  const parsed = parseStrictPayload(batch, payload);
  if (!parsed.ok) return { outcomes: [], errors: parsed.errors };
  const answers: (FlipResponse | null)[] = [];
  const items: (BatchItem & { readonly index: number })[] = [];
  parsed.request.moves.forEach((entry, index) => {
    const request = parseFlipRequest(entry);
    const problem = !request.ok
      ? request.errors
      : request.request.epoch === undefined
        ? [
            "epoch: a batch carries the watchdog's decisions only: each move needs the epoch it was decided on",
          ]
        : request.request.force || request.request.dryRun
          ? ['force and dryRun are not for a batch']
          : null;
    if (problem !== null || !request.ok) {
      answers[index] = rejectedMove(
        entry,
        (problem ?? []).map((line) => `moves[${index}].${line}`),
      );
      return;
    }
    const resolved = resolveMove(deps, direction, request.request);
    if ('outcome' in resolved) {
      answers[index] = resolved;
      return;
    }
    const milestones: Milestones = {};
    items.push({ ...resolved, milestones, index });
    answers[index] = null;
  });

  const executions = await executeMoves(deps, items);
  const errors: unknown[] = [];
  await Promise.all(
    items.map(async (item, position) => {
      const execution = executions[position];
      if (execution === undefined) return;
      if ('error' in execution) {
        const message = execution.error instanceof Error ? execution.error.message : String(execution.error);
        moveLog(deps, item.move).error(`${direction} failed`, { error: execution.error });
        answers[item.index] = { service: item.service.name, outcome: 'failed', message, to: item.move.to };
        errors.push(execution.error);
        return;
      }
      const done = {
        service: item.service,
        move: item.move,
        milestones: item.milestones,
        startedAt,
        dryRun: false,
      };
      const answer = await respond(deps, done, execution);
      answers[item.index] = answer.response;
      if ('error' in answer) errors.push(answer.error);
    }),
  );
  // Anything not known to be settled fails the invocation (its alarm fires, Lambda retries once):
  // the retry finds every settled move fenced by its new epoch, and carries out only the rest.
  if (errors.length > 0) {
    throw new FlipError(
      `${errors.length} of ${items.length} moves of the batch did not finish: ${errors
        .map((e) => (e instanceof Error ? e.message : String(e)))
        .join(' | ')}`,
      { cause: errors },
    );
  }
  return { outcomes: answers.flatMap((answer) => (answer === null ? [] : [answer])) };
}

function rejectedMove(entry: unknown, errors: readonly string[]): FlipResponse {
  const service =
    typeof entry === 'object' && entry !== null && 'service' in entry && typeof entry.service === 'string'
      ? entry.service.slice(0, 64)
      : '';
  return { service, outcome: 'rejected', message: `Request rejected: ${errors.join('; ')}`, errors };
}
