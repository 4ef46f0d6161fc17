/**
 * What a person watches while the demo runs, read from the state table (one `loadAll` a second):
 * - on a terminal, one status line per service redrawn in place, with each change printed above it;
 * - elsewhere (a pipe, a file, a test), only the change lines;
 * - each reading also goes to `onReading` (the web view renders the same readings as a page).
 */
import { stripVTControlCharacters } from 'node:util';
import { type Policy, type ServiceConfig, type TargetId, targetOrder } from '../../shared/domain/config.ts';
import type { StateStore } from '../../shared/domain/ports.ts';
import {
  healthOf,
  isFailback,
  phaseOf,
  type ServiceState,
  type TargetHealth,
} from '../../shared/domain/state.ts';

/** One reading of the state table, as the live view printed it. */
export interface LiveReading {
  /** When it was read (epoch ms). */
  readonly at: number;
  /** The last state read of each service (absent until the watchdog's first round). */
  readonly states: ReadonlyMap<string, ServiceState>;
  /** The change lines of this reading, oldest first (as printed). */
  readonly events: readonly string[];
  /** Why the state table could not be read this time, if it could not. */
  readonly error?: string;
}

export interface LiveViewOptions {
  readonly store: StateStore;
  readonly services: readonly ServiceConfig[];
  readonly print: (text: string) => void;
  /** Redraw status lines in place (ANSI) — only for a terminal. */
  readonly tty: boolean;
  /** Terminal width, to know how many rows a wrapped status line takes. */
  readonly columns?: () => number | undefined;
  readonly intervalMs: number;
  readonly now?: () => number;
  /** Receives every reading (and failed read) after it is printed. */
  readonly onReading?: (reading: LiveReading) => void;
}

export interface LiveView {
  /** Reads the state once and prints what changed (also runs every `intervalMs`). */
  refresh(): Promise<void>;
  /** Prints lines of the demo's own (above the status lines on a terminal, so the redraw stays in place). */
  say(lines: readonly string[]): void;
  stop(): Promise<void>;
}

export function startLiveView(options: LiveViewOptions): LiveView {
  const { store, services, print, tty } = options;
  const now = options.now ?? Date.now;
  const names = services.map((s) => s.name);
  const seen = new Map<string, ServiceState>();
  let drawn = 0;
  let lastError = '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const read = async () => {
    let states: Map<string, { value: ServiceState }>;
    try {
      states = await store.loadAll(names);
      lastError = '';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!stopped && message !== lastError)
        emit([`${clock(now())}  cannot read the state table: ${message}`]);
      lastError = message;
      options.onReading?.({ at: now(), states: new Map(seen), events: [], error: message });
      return;
    }
    const events: string[] = [];
    for (const service of services) {
      const state = states.get(service.name)?.value;
      if (state === undefined) continue;
      events.push(...changes(service, seen.get(service.name), state, now()));
      seen.set(service.name, state);
    }
    emit(events);
    options.onReading?.({ at: now(), states: new Map(seen), events });
  };

  const emit = (events: readonly string[]) => {
    if (!tty) {
      if (events.length > 0) print(events.map((line) => `${line}\n`).join(''));
      return;
    }
    const status = services.map((service) => statusLine(service, seen.get(service.name), now()));
    const width = options.columns?.() ?? 0;
    // A line wider than the terminal wraps: count the rows it takes, so the next redraw starts above it.
    const rows = (line: string) =>
      width > 0 ? Math.max(1, Math.ceil(stripVTControlCharacters(line).length / width)) : 1;
    const up = drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '';
    print(up + [...events, ...status].map((line) => `${line}\n`).join(''));
    drawn = status.reduce((sum, line) => sum + rows(line), 0);
  };

  const tick = () => {
    inFlight = read().finally(() => {
      if (!stopped) timer = setTimeout(tick, options.intervalMs);
    });
  };
  tick();

  return {
    refresh: async () => {
      await inFlight;
      await read();
    },
    say: (lines) => emit(lines),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

/** The change lines between two readings of a service's state (all of it on first sight). */
export function changes(
  service: ServiceConfig,
  before: ServiceState | undefined,
  after: ServiceState,
  at: number,
): string[] {
  const prefix = `${clock(at)}  ${service.name}:`;
  const order = targetOrder(service);
  const phase = phaseOf(after, order);
  if (before === undefined) {
    const targets = order.map((id) => `${id} ${healthOf(after, id).status}`);
    return [`${prefix} phase ${phase}, ${targets.join(', ')}, epoch ${after.epoch}`];
  }
  const lines: string[] = [];
  for (const id of order) {
    const was = healthOf(before, id).status;
    const is = healthOf(after, id);
    if (was !== is.status) lines.push(`${prefix} ${id} ${was} -> ${is.status}${evidence(is)}`);
  }
  const phaseBefore = phaseOf(before, order);
  if (phaseBefore !== phase) lines.push(`${prefix} phase ${phaseBefore} -> ${phase}`);
  if (before.epoch !== after.epoch) {
    const what = moveWord(order, before.active, after.active);
    lines.push(`${prefix} epoch ${before.epoch} -> ${after.epoch}: ${what}, traffic on the ${after.active}`);
  }
  const flags = (s: ServiceState) =>
    [
      s.paused ? 'paused' : '',
      s.hold ? `hold (${s.hold.kind} by ${s.hold.by})` : '',
      s.frozen ? 'frozen' : '',
    ]
      .filter((f) => f !== '')
      .join(', ') || 'none';
  if (flags(before) !== flags(after))
    lines.push(`${prefix} operator flags ${flags(before)} -> ${flags(after)}`);
  return lines;
}

/**
 * A move's word, from where traffic was to where it is: `failback` to a more preferred target,
 * else `failover`. An epoch that moved nothing (e.g. a reconciled hand edit) is named by where
 * traffic is: `failback` on the first target, `failover` elsewhere.
 */
function moveWord(order: readonly TargetId[], from: TargetId, to: TargetId): 'failover' | 'failback' {
  if (from === to) return to === order[0] ? 'failback' : 'failover';
  return isFailback(order, from, to) ? 'failback' : 'failover';
}

/** `payments-api  secondary-active  primary down (ok 2/5)  secondary up  epoch 1  failover 12:01:05 (42 s ago)` */
export function statusLine(service: ServiceConfig, state: ServiceState | undefined, at: number): string {
  const name = bold(service.name);
  if (state === undefined) return `${name}  waiting for the first watchdog round`;
  const order = targetOrder(service);
  const health = (id: TargetId) => {
    const h = healthOf(state, id);
    const status = h.status === 'up' ? green('up') : h.status === 'down' ? red('down') : yellow('unknown');
    const streak = streakText(h, service.policy);
    return `${id} ${status}${streak === '' ? '' : ` (${streak})`}`;
  };
  return [
    name,
    phaseOf(state, order),
    ...order.map(health),
    `epoch ${state.epoch}`,
    flipText(state, order, at),
    ...flagWords(state),
  ].join('  ');
}

/** A streak on its way to changing the status: `fail 1/3` while not yet down, `ok 2/6` while not yet up. */
export function streakText(health: TargetHealth, policy: Policy): string {
  if (health.status !== 'down' && health.failStreak > 0)
    return `fail ${health.failStreak}/${policy.failureThreshold}`;
  if (health.status !== 'up' && health.okStreak > 0)
    return `ok ${health.okStreak}/${policy.recoveryThreshold}`;
  return '';
}

/** `failover 12:01:05 (42 s ago)` (`failback` when traffic is on the first target), or `no flip yet`. */
export function flipText(state: ServiceState, order: readonly TargetId[], at: number): string {
  if (state.lastFlipAt === null) return 'no flip yet';
  const what = state.active === order[0] ? 'failback' : 'failover';
  return `${what} ${clock(state.lastFlipAt)} (${Math.round((at - state.lastFlipAt) / 1000)} s ago)`;
}

/** The operator flags set: `PAUSED`, `HOLD`, `FROZEN`. */
export function flagWords(state: ServiceState): string[] {
  return [state.paused ? 'PAUSED' : '', state.hold ? 'HOLD' : '', state.frozen ? 'FROZEN' : ''].filter(
    (f) => f !== '',
  );
}

function evidence(health: TargetHealth): string {
  const failed = failedReason(health);
  return failed === undefined ? '' : ` (${failed})`;
}

/** Why the last round failed (its first failed check), if it did. */
export function failedReason(health: TargetHealth): string | undefined {
  return health.last.find((check) => !check.ok)?.reason;
}

function clock(at: number): string {
  return new Date(at).toLocaleTimeString('en-GB', { hour12: false });
}

const bold = (text: string) => `\x1b[1m${text}\x1b[0m`;
const green = (text: string) => `\x1b[32m${text}\x1b[0m`;
const red = (text: string) => `\x1b[31m${text}\x1b[0m`;
const yellow = (text: string) => `\x1b[33m${text}\x1b[0m`;
