/**
 * What a person watches while the demo runs, read from the state table (one `loadAll` a second):
 * - on a terminal, one status line per service redrawn in place, with each change printed above it;
 * - elsewhere (a pipe, a file, a test), only the change lines;
 * - each reading also goes to `onReading` (the web view renders the same readings as a page).
 * With vantages (issue #11) each reading also has every vantage's latest votes (one BatchGetItem):
 * on a terminal a line per vantage under its service and the quorum's verdict; as change lines,
 * each vantage's vote and the verdict whenever they change.
 */
import { stripVTControlCharacters } from 'node:util';
import { sharesPhase, weightsText } from '../../cli/shares-view.ts';
import { quorumView, type VoteView, verdictText, voteText } from '../../cli/vantage-votes.ts';
import { sharesOf } from '../../shared/domain/active-active.ts';
import {
  type Policy,
  type ServiceConfig,
  type TargetId,
  targetOrder,
  type VantagesConfig,
} from '../../shared/domain/config.ts';
import type { StateStore, VantageVotes, VoteStore } from '../../shared/domain/ports.ts';
import { percentOf } from '../../shared/domain/ramp.ts';
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
  /** With vantages: each vantage's latest votes, by vantage (absent: none recorded yet). */
  readonly votes?: ReadonlyMap<string, VantageVotes>;
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
  /** With vantages: where they record their votes, read with the state each time. */
  readonly votes?: { readonly store: VoteStore; readonly vantages: VantagesConfig };
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
  /** Per service, each vantage's vote and the quorum's verdict as last printed. */
  const said = new Map<string, Map<string, string>>();
  let votes: ReadonlyMap<string, VantageVotes> | undefined;
  let drawn = 0;
  let lastError = '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const read = async () => {
    let states: Map<string, { value: ServiceState }>;
    try {
      const ballots = options.votes;
      [states, votes] = await Promise.all([
        store.loadAll(names),
        ballots === undefined ? undefined : ballots.store.loadVotes(ballots.vantages.regions),
      ]);
      lastError = '';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!stopped && message !== lastError)
        emit([`${clock(now())}  cannot read the state table: ${message}`]);
      lastError = message;
      options.onReading?.({
        at: now(),
        states: new Map(seen),
        events: [],
        error: message,
        ...(votes === undefined ? {} : { votes }),
      });
      return;
    }
    const events: string[] = [];
    for (const service of services) {
      const state = states.get(service.name)?.value;
      if (state !== undefined) {
        events.push(...changes(service, seen.get(service.name), state, now()));
        seen.set(service.name, state);
      }
      if (options.votes !== undefined && votes !== undefined) {
        const before = said.get(service.name) ?? new Map<string, string>();
        events.push(...voteChanges(service, options.votes.vantages, before, votes, now()));
        said.set(service.name, before);
      }
    }
    emit(events);
    options.onReading?.({
      at: now(),
      states: new Map(seen),
      events,
      ...(votes === undefined ? {} : { votes }),
    });
  };

  const emit = (events: readonly string[]) => {
    if (!tty) {
      if (events.length > 0) print(events.map((line) => `${line}\n`).join(''));
      return;
    }
    const ballots = options.votes;
    const status = services.flatMap((service) => [
      statusLine(service, seen.get(service.name), now()),
      ...(ballots === undefined || votes === undefined
        ? []
        : voteStatusLines(service, ballots.vantages, votes, now())),
    ]);
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
  const phase = phaseText(service, after);
  const settings = service.policy.activeActive;
  if (before === undefined) {
    const targets = order.map((id) => `${id} ${healthOf(after, id).status}`);
    const weights = settings === undefined ? '' : `, ${weightsOf(service, after)}`;
    return [`${prefix} phase ${phase}, ${targets.join(', ')}${weights}, epoch ${after.epoch}`];
  }
  const lines: string[] = [];
  for (const id of order) {
    const was = healthOf(before, id).status;
    const is = healthOf(after, id);
    if (was !== is.status) lines.push(`${prefix} ${id} ${was} -> ${is.status}${evidence(is)}`);
  }
  const phaseBefore = phaseText(service, before);
  if (phaseBefore !== phase) lines.push(`${prefix} phase ${phaseBefore} -> ${phase}`);
  if (settings !== undefined && before.epoch !== after.epoch) {
    // Active-active (issue #13 item 3): each epoch is a new weight map.
    const was = sharesOf(before, settings, order).weights;
    const is = sharesOf(after, settings, order);
    const drained = order.filter((id) => (was[id] ?? 0) > 0 && (is.weights[id] ?? 0) === 0);
    const back = order.filter((id) => (was[id] ?? 0) === 0 && (is.weights[id] ?? 0) > 0);
    const why = [
      ...drained.map((id) => `${id} drained`),
      ...back.map((id) =>
        is.ramp?.to === id ? `${id} ramping back at ${percentOf(is.ramp)} % of its share` : `${id} back`,
      ),
      ...(back.length === 0 && is.ramp !== null
        ? [`${is.ramp.to} at ${percentOf(is.ramp)} % of its share`]
        : []),
      ...(back.length === 0 && drained.length === 0 && is.ramp === null ? ['every target at its share'] : []),
    ];
    lines.push(
      `${prefix} epoch ${before.epoch} -> ${after.epoch}: ${weightsOf(service, after)} (${why.join(', ')})`,
    );
  } else if (before.epoch !== after.epoch) {
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
 * The change lines of the vantages' votes on one service: a vantage whose vote now reads otherwise
 * (`eu-west-1 votes primary down, secondary up — disagrees on primary`), and the quorum's verdict
 * when it changes. `said` holds what was last printed; it is updated.
 *
 * @example
 * voteChanges(service, config.vantages, said, await votes.loadVotes(regions), Date.now());
 * // ['12:00:05  payments-api: eu-west-1 votes primary down, secondary up — disagrees on primary']
 */
export function voteChanges(
  service: ServiceConfig,
  vantages: VantagesConfig,
  said: Map<string, string>,
  recorded: ReadonlyMap<string, VantageVotes>,
  at: number,
): string[] {
  const prefix = `${clock(at)}  ${service.name}:`;
  const order = targetOrder(service);
  const view = quorumView(service, vantages, recorded, at);
  const lines: string[] = [];
  // Until a vantage's first vote there is nothing to tell (the watchdogs are starting).
  if (view.votes.every((vote) => vote.kind === 'none') && said.size === 0) return [];
  for (const vote of view.votes) {
    const text = voteWords(vote, order);
    if (said.get(vote.vantage) === text) continue;
    if (vote.kind === 'none' && !said.has(vote.vantage)) continue;
    said.set(vote.vantage, text);
    lines.push(`${prefix} ${vote.vantage} votes ${text}`);
  }
  const verdict = view.lost
    ? `quorum lost (${view.voting} of ${view.vantages} voting, ${view.quorum} needed): nothing moves`
    : `quorum ${view.quorum} of ${view.vantages}: ${order.map((id) => `${id} ${view.verdict[id] ?? 'undecided'}`).join(', ')}`;
  // While the watchdogs start, the first to vote is alone for a moment: not yet a lost quorum.
  const starting = view.lost && !said.has(VERDICT) && view.votes.some((vote) => vote.kind === 'none');
  if (!starting && said.get(VERDICT) !== verdict) {
    said.set(VERDICT, verdict);
    lines.push(`${prefix} ${verdict}`);
  }
  return lines;
}

/** The key under which `voteChanges` keeps the verdict it last printed (no region has this name). */
const VERDICT = ' verdict';

/** A vote without its age (which changes every second): what a change line compares. */
function voteWords(vote: VoteView, order: readonly TargetId[]): string {
  if (vote.kind === 'none') return 'nothing yet';
  if (vote.stale) return 'nothing lately (its last vote is stale)';
  if (vote.kind === 'blind') return 'blind (reaches no target and not the canary)';
  const said = order.map((id) => `${id} ${vote.targets[id]?.status ?? 'unknown'}`).join(', ');
  return `${said}${vote.disagrees.length > 0 ? ` — disagrees on ${vote.disagrees.join(', ')}` : ''}`;
}

/**
 * The terminal's lines under a service's status line: the quorum's verdict, then each vantage's
 * latest vote and its age.
 *
 * @example
 * voteStatusLines(service, config.vantages, votes, Date.now());
 * // ['  quorum 2 of 3 (3 voting): primary up, secondary up', '  us-east-1: primary up, secondary up (just now)', ...]
 */
export function voteStatusLines(
  service: ServiceConfig,
  vantages: VantagesConfig,
  recorded: ReadonlyMap<string, VantageVotes>,
  at: number,
): string[] {
  const order = targetOrder(service);
  const view = quorumView(service, vantages, recorded, at);
  return [
    `  ${verdictText(view, order)}`,
    ...view.votes.map((vote) => {
      const text = `  ${vote.vantage}: ${voteText(vote, order, at)}`;
      return vote.disagrees.length > 0 || vote.kind === 'blind' || vote.stale ? yellow(text) : text;
    }),
  ];
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
  const settings = service.policy.activeActive;
  if (settings !== undefined) {
    const weights = sharesOf(state, settings, order).weights;
    return [
      name,
      phaseText(service, state),
      ...order.map((id) => `${health(id)} w ${weights[id] ?? 0}/${settings.weights[id] ?? 0}`),
      `epoch ${state.epoch}`,
      state.lastFlipAt === null ? 'no change yet' : `weights set ${clock(state.lastFlipAt)}`,
      ...flagWords(state),
    ].join('  ');
  }
  return [
    name,
    phaseOf(state, order),
    ...order.map(health),
    `epoch ${state.epoch}`,
    flipText(state, order, at),
    ...flagWords(state),
  ].join('  ');
}

/**
 * The phase in words: `primary-active`, `failing-over`, …; for an active-active service (issue #13
 * item 3) `active-active`, `reweighting` or `ramping tertiary 25%`.
 */
export function phaseText(service: ServiceConfig, state: ServiceState): string {
  const order = targetOrder(service);
  const settings = service.policy.activeActive;
  return settings === undefined ? phaseOf(state, order) : sharesPhase(state, settings, order);
}

/** An active-active service's decided weights: `weights primary=63 secondary=37 tertiary=0`. */
export function weightsOf(service: ServiceConfig, state: ServiceState): string {
  const order = targetOrder(service);
  const settings = service.policy.activeActive;
  const weights = settings === undefined ? {} : sharesOf(state, settings, order).weights;
  return `weights ${weightsText(weights, order)}`;
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
