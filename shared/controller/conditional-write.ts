/**
 * The one conditional write of the service state, with re-read on conflict. Every writer — the
 * watchdog's round and reconciliation, the flip's claim, record, release and refusal, pause and
 * resume — applies its change to the state as stored at write time, so whatever another writer put
 * there meanwhile (a pause, a hold, a newer epoch) is seen and never undone.
 *
 *   load ─> change(state) ─> save(version) ──conflict──> re-read ─> change(fresh) ─> save ...
 */

import { type ServiceConfig, type TargetId, targetOrder } from '../domain/config.ts';
import { initialState } from '../domain/initial-state.ts';
import type { StateStore } from '../domain/ports.ts';
import type { ServiceState } from '../domain/state.ts';

export interface Stored {
  readonly value: ServiceState;
  /** The version read; null when no item exists yet. */
  readonly version: number | null;
}

export type WriteResult =
  /** `state` is stored at `version`; `before` is the state it was computed from. */
  (
    | {
        readonly written: true;
        readonly state: ServiceState;
        readonly version: number;
        readonly before: ServiceState;
      }
    /** The change had nothing to write on the state as stored (`state`, `version`). */
    | { readonly written: false; readonly state: ServiceState; readonly version: number | null }
  ) & {
    /** Writes that lost a race on the way (another writer came first). */
    readonly conflicts: number;
  };

/** The state kept changing under every attempt: the caller fails, and can be retried. */
export class StateContentionError extends Error {
  override name = 'StateContentionError';
  readonly service: string;

  constructor(service: string, attempts: number, what: string) {
    super(`Could not ${what} ${service}: the state changed under each of ${attempts} attempts; try again.`);
    this.service = service;
  }
}

/** What the write loop needs of a service: its name, and where its traffic starts. */
export function stateKeyOf(service: ServiceConfig): { readonly name: string; readonly first: TargetId } {
  const [first] = targetOrder(service);
  if (first === undefined) throw new Error(`Service "${service.name}" has no targets`);
  return { name: service.name, first };
}

/** Read a service's state, or its initial state (traffic on `first`) when it was never written. */
export async function loadState(store: StateStore, service: string, first: TargetId): Promise<Stored> {
  return (await store.load(service)) ?? { value: initialState(service, first), version: null };
}

/**
 * Apply `change` to the stored state and write the result conditionally on the version read; on a
 * conflict, re-read and apply it again (at most `attempts` writes). `change` returns null when there
 * is nothing to write on that state.
 *
 * @example
 * const out = await writeConditionally(store, { name: 'payments-api', first: 'primary' }, loaded, (s) => (s.paused ? null : { ...s, paused: true }), 'pause');
 * if (out.written) log.info('paused', { epoch: out.state.epoch });
 */
export async function writeConditionally(
  store: StateStore,
  service: { readonly name: string; readonly first: TargetId },
  base: Stored | null,
  change: (state: ServiceState) => ServiceState | null,
  what: string,
  attempts = 6,
): Promise<WriteResult> {
  let current = base ?? (await loadState(store, service.name, service.first));
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const conflicts = attempt - 1;
    const next = change(current.value);
    if (next === null) return { written: false, state: current.value, version: current.version, conflicts };
    const saved = await store.save(next, current.version);
    if (saved.ok)
      return { written: true, state: next, version: saved.version, before: current.value, conflicts };
    current = saved.current ?? (await loadState(store, service.name, service.first));
  }
  throw new StateContentionError(service.name, attempts, what);
}
