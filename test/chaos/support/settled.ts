/**
 * The checks every chaos test ends with: the state item is readable and consistent with what
 * Route 53 really shows, the controller made exactly the expected number of changes, and people
 * got exactly the expected alerts.
 */
import { expect } from 'vitest';
import { runtime } from '../../../shared/controller/runtime.ts';
import type { Phase } from '../../../shared/domain/state.ts';
import type { ChaosStack } from './chaos-stack.ts';

/** The controller's flips for `service`: compare-and-swap batches (DELETE + CREATE), not hand edits (UPSERT). */
export function flipsFor(stack: ChaosStack, service: string): number {
  return stack
    .changesFor(service)
    .filter((c) => JSON.stringify((c as { changes: unknown }).changes).includes('"DELETE"')).length;
}

/** Which target Route 53 sends traffic to now, read with the real traffic switch. */
export async function route53Active(service: string): Promise<string> {
  const rt = runtime('watchdog');
  const config = rt.config.services.find((s) => s.name === service);
  if (!config) throw new Error(`no service ${service}`);
  const read = await rt.traffic.read(config);
  if (!read.ok) throw new Error(read.message);
  return read.reading.active;
}

export interface Settled {
  readonly phase: Phase;
  readonly epoch: number;
  readonly flips: number;
  /** The webhook events, in order. */
  readonly events: readonly string[];
}

export async function expectSettled(stack: ChaosStack, service: string, expected: Settled): Promise<void> {
  const state = await stack.state(service);
  expect({
    phase: state.phase,
    epoch: state.epoch,
    flips: flipsFor(stack, service),
    events: stack.hookEvents(service),
  }).toEqual(expected);
  const settledOn =
    state.phase === 'primary-active' || state.phase === 'failing-over' ? 'primary' : 'secondary';
  expect(await route53Active(service)).toBe(settledOn);
}
