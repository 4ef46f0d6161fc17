/**
 * The checks every chaos test ends with: the state item is readable and consistent with what
 * Route 53 really shows, the controller made exactly the expected number of changes, and people
 * got exactly the expected alerts.
 */
import { expect } from 'vitest';
import { runtime } from '../../../shared/controller/runtime.ts';
import { phaseOf } from '../../../shared/domain/state.ts';
import type { ChaosStack } from './chaos-stack.ts';

/** The controller's flips for `service`: compare-and-swap batches (DELETE + CREATE), not hand edits (UPSERT). */
export function flipsFor(stack: ChaosStack, service: string): number {
  return stack
    .changesFor(service)
    .filter((c) => JSON.stringify((c as { changes: unknown }).changes).includes('"DELETE"')).length;
}

/** Which target Route 53 sends traffic to now, read with the real traffic switch. */
export async function route53Active(service: string): Promise<string | null> {
  const rt = runtime('watchdog');
  const config = rt.config.services.find((s) => s.name === service);
  if (!config) throw new Error(`no service ${service}`);
  const read = await rt.traffic.read(config);
  if (!read.ok) throw new Error(read.message);
  return read.reading.active;
}

/** The two targets every chaos service has, most preferred first. */
export const PAIR = ['primary', 'secondary'] as const;

export interface Settled {
  /** The state in the old words (`primary-active`, `failing-over`, …): see `phaseOf`. */
  readonly phase: string;
  readonly epoch: number;
  readonly flips: number;
  /** The webhook events, in order. */
  readonly events: readonly string[];
}

export async function expectSettled(stack: ChaosStack, service: string, expected: Settled): Promise<void> {
  const state = await stack.state(service);
  expect({
    phase: phaseOf(state, PAIR),
    epoch: state.epoch,
    flips: flipsFor(stack, service),
    events: stack.hookEvents(service),
  }).toEqual(expected);
  // Traffic stays on the active target while a move is on its way.
  expect(await route53Active(service)).toBe(state.active);
}
