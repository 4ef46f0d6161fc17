/**
 * `failoverctl status`: where each configured service's traffic is and what the controller last
 * recorded about its targets, read from the state table in one batch.
 */
import { type ServiceConfig, targetOrder } from '../../shared/domain/config.ts';
import type { Versioned } from '../../shared/domain/ports.ts';
import { percentOf, stepDueAt } from '../../shared/domain/ramp.ts';
import { formatDuration } from '../../shared/domain/reasons.ts';
import {
  healthOf,
  isFailback,
  movingTo,
  phaseOf,
  type Ramp,
  type ServiceState,
  type TargetHealth,
} from '../../shared/domain/state.ts';
import {
  DASHBOARD_URL_VARIABLE,
  dashboardName,
  dashboardUrl,
} from '../../shared/telemetry/dashboard-link.ts';
import { type Command, flagOption } from '../command.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK } from '../errors.ts';
import { ago, duration, isoSeconds, jsonLines, table } from '../format.ts';
import { sharesJson, sharesLines, sharesPhase, weightsText } from '../shares-view.ts';
import { type QuorumView, quorumView, verdictText, voteText } from '../vantage-votes.ts';

/** How long Route 53 takes, typically, to put an accepted change on every name server (AWS). */
const PROPAGATION_MS = 60_000;

export const EVIDENCE_NOTE =
  "Health is as of each service's last state write: the watchdog writes only when something changes " +
  '(a target goes up or down, a flip, a hold), so a steady state shows the probe results of its last change.';

export const statusCommand: Command = {
  name: 'status',
  summary: 'phase, active target, health, hold and pause of every service',
  usage: 'failoverctl status [--json]',
  details: [
    'Reads the state table (--table) for the services of the configuration (--config).',
    '--json   print the states as JSON (one object per service)',
    "With `vantages` configured: each vantage's latest vote per target and its age, votes older than the freshness window marked stale, and the quorum's verdict.",
    "Ends with the link to the stage's CloudWatch dashboard ($DASHBOARD_URL, else from --stage and --region).",
    EVIDENCE_NOTE,
  ],
  options: { json: { type: 'boolean' } },
  positionals: [],
  async run(ctx: CliContext, args) {
    const config = ctx.config();
    const services = config.services;
    const states = await ctx.store().loadAll(services.map((s) => s.name));
    const vantages = config.vantages;
    // The votes are read after the states: a vote is never older than the state it is shown beside.
    const recorded = vantages === undefined ? undefined : await ctx.votes().loadVotes(vantages.regions);
    const now = ctx.clock.now();
    const quorumOf = (service: ServiceConfig): QuorumView | undefined =>
      vantages === undefined || recorded === undefined
        ? undefined
        : quorumView(service, vantages, recorded, now);
    if (flagOption(args.values, 'json')) {
      const body = {
        table: ctx.tableName(),
        note: EVIDENCE_NOTE,
        services: services.map((service) => {
          const quorum = quorumOf(service);
          return {
            ...statusJson(service, states.get(service.name)),
            ...(quorum === undefined ? {} : { vantages: quorumJson(quorum, now) }),
          };
        }),
      };
      for (const line of jsonLines(body)) ctx.print(line);
      return EXIT_OK;
    }
    const rows = [['SERVICE', 'PHASE', 'ACTIVE', 'TARGETS', 'SINCE', 'HOLD', 'PAUSED', 'EPOCH']];
    for (const service of services) rows.push(statusRow(service, states.get(service.name)?.value));
    for (const line of table(rows)) ctx.print(line);
    for (const service of services) {
      const state = states.get(service.name)?.value;
      if (state) {
        for (const line of evidenceLines(service, state, now)) ctx.print(line);
      }
    }
    if (recorded !== undefined) {
      for (const service of services) {
        const quorum = quorumOf(service);
        if (quorum !== undefined) for (const line of voteLines(service, quorum, now)) ctx.print(line);
      }
    }
    ctx.print();
    ctx.print(
      `TARGETS: each target's health, most preferred first. SINCE: when traffic last moved. ${EVIDENCE_NOTE}`,
    );
    if (services.some((s) => s.policy.activeActive !== undefined)) {
      ctx.print(
        'An active-active service shows its decided weight map under ACTIVE (a drained target at 0) and, below, ' +
          'each weight beside its configured share and a share ramping back.',
      );
    }
    // Written as is, not through `print`: `shown` would cut the `?region=` the console needs, and
    // the link is no stored or remote text but built here (or the operator's own variable), and
    // printable ASCII only (see stageDashboard), so it carries no terminal control either.
    ctx.io.out.write(`Dashboard: ${stageDashboard(ctx)}\n`);
    return EXIT_OK;
  },
};

/**
 * The stage's CloudWatch dashboard: `DASHBOARD_URL` when it is an https URL of printable ASCII,
 * else computed from `--stage` and the region (`--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
 * else us-east-1, where the deploy defaults); `dashboardUrl` percent-encodes what it is given.
 */
function stageDashboard(ctx: CliContext): string {
  const given = ctx.io.env[DASHBOARD_URL_VARIABLE];
  if (given !== undefined && /^https:\/\/[\x21-\x7e]+$/.test(given)) return given;
  const region = ctx.globals.region ?? ctx.io.env.AWS_REGION ?? ctx.io.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  return dashboardUrl(region, dashboardName(ctx.globals.stage));
}

function statusRow(service: ServiceConfig, state: ServiceState | undefined): string[] {
  const order = targetOrder(service);
  if (!state) {
    const health = order.map((id) => `${id}:unknown`).join(' ');
    return [service.name, 'not seen yet', `${order[0] ?? '-'}?`, health, '-', '-', 'no', '-'];
  }
  const settings = service.policy.activeActive;
  if (settings !== undefined) {
    // Active-active (issue #13 item 3): `active` is only a label; the decision is the weight map.
    return [
      service.name,
      sharesPhase(state, settings, order),
      weightsText(state.shares?.weights ?? settings.weights, order),
      order.map((id) => `${id}:${healthOf(state, id).status}`).join(' '),
      isoSeconds(state.lastFlipAt),
      state.hold ? state.hold.kind : '-',
      state.paused ? 'yes' : 'no',
      String(state.epoch),
    ];
  }
  return [
    service.name,
    // A flip in flight shows by its direction, the operator's too (the active target stays put meanwhile);
    // a gradual failback by its step (issue #13).
    state.ramp === null || state.moving !== null
      ? phaseOf(state, order)
      : `failing-back ${percentOf(state.ramp)}%`,
    state.active,
    order.map((id) => `${id}:${healthOf(state, id).status}`).join(' '),
    isoSeconds(state.lastFlipAt),
    state.hold ? state.hold.kind : '-',
    state.paused ? 'yes' : 'no',
    String(state.epoch),
  ];
}

function evidenceLines(service: ServiceConfig, state: ServiceState, now: number): string[] {
  const order = targetOrder(service);
  const stepAlarm = service.policy.stepAlarm ?? null;
  const settings = service.policy.activeActive;
  const lines = ['', `${state.service}:`];
  // Labels line up under the longest target id (at least as wide as `secondary`).
  const width = Math.max(9, ...order.map((id) => id.length));
  const line = (label: string, text: string) => `  ${label.padEnd(width)} ${text}`;
  for (const id of order) {
    const health = healthOf(state, id);
    lines.push(line(id, describeHealth(health, now)));
    for (const check of health.last) {
      const result = `${check.ok ? 'ok  ' : 'FAIL'} ${check.check}: ${check.reason} (${Math.round(check.latencyMs)} ms)`;
      lines.push(line('', result));
    }
  }
  if (state.hold) {
    lines.push(
      line(
        'hold',
        `${state.hold.kind} by ${state.hold.by} at ${isoSeconds(state.hold.at)}: ${state.hold.reason} ` +
          `(release: failoverctl failback ${state.service}, or failoverctl resume ${state.service})`,
      ),
    );
  }
  if (settings !== undefined) {
    const shares = sharesLines(service, settings, state, now);
    lines.push(line('weights', shares.weights));
    if (shares.ramp !== null) lines.push(line('ramp', shares.ramp));
    if (shares.next !== null) lines.push(line('next', `the next step writes ${shares.next}`));
  }
  if (state.ramp !== null) lines.push(line('ramp', describeRamp(state.service, state.ramp, stepAlarm, now)));
  if (state.paused) lines.push(line('paused', `automation is paused (failoverctl resume ${state.service})`));
  if (state.frozen) lines.push(line('frozen', 'automatic failback is frozen (flapping): fail back by hand'));
  const moving = movingTo(state);
  if (moving !== null && settings !== undefined && state.moving?.weights !== undefined) {
    lines.push(
      line(
        'moving',
        `writing ${weightsText(state.moving.weights, order)} since ${isoSeconds(state.moving.since)} ` +
          `(${ago(state.moving.since, now)}), requested by the watchdog (epoch ${state.epoch})`,
      ),
    );
  } else if (moving !== null) {
    const verb = `${isFailback(order, state.active, moving.to) ? 'failing back' : 'failing over'} to the ${moving.to}`;
    const since =
      moving.since === null ? '' : ` since ${isoSeconds(moving.since)} (${ago(moving.since, now)})`;
    lines.push(line('moving', `${verb}${since}, requested by ${moving.by} (epoch ${state.epoch})`));
  }
  // An accepted change reaches every Route 53 name server typically within 60 s (AWS): until then
  // some answers still name the old target, so a recent flip is shown as propagating, not done.
  if (state.lastFlipAt !== null && now - state.lastFlipAt < PROPAGATION_MS && movingTo(state) === null) {
    const what =
      settings === undefined
        ? `the flip to the ${state.active}`
        : `the weights ${weightsText(state.shares?.weights ?? settings.weights, order)}`;
    lines.push(
      line(
        'moving',
        `propagating: ${what} at ${isoSeconds(state.lastFlipAt)} ${settings === undefined ? 'was' : 'were'} accepted by Route 53; its name servers answer ${settings === undefined ? 'it' : 'them'} typically within 60 s, resolvers after the TTL`,
      ),
    );
  }
  if (state.lastFailure !== null) {
    const f = state.lastFailure;
    lines.push(
      line(
        'failed',
        `the last flip to the ${f.to} (by ${f.by}, epoch ${f.epoch}) failed at ${isoSeconds(f.at)} ` +
          `(${ago(f.at, now)}): ${f.error} (failoverctl history ${state.service})`,
      ),
    );
  }
  return lines;
}

/**
 * A service's votes: the quorum's verdict, then each vantage's latest vote and its age.
 *
 *   payments-api votes (stale after 30 s): quorum 2 of 3 (2 voting): primary up, secondary up
 *     us-east-2: primary up, secondary up (4 s ago)
 *     eu-west-1: blind (12 s ago)
 */
function voteLines(service: ServiceConfig, quorum: QuorumView, now: number): string[] {
  const order = targetOrder(service);
  return [
    '',
    `${service.name} votes (stale after ${duration(quorum.freshMs)}): ${verdictText(quorum, order)}`,
    ...quorum.votes.map((vote) => `  ${vote.vantage}: ${voteText(vote, order, now)}`),
  ];
}

function quorumJson(quorum: QuorumView, now: number): Record<string, unknown> {
  return {
    quorum: quorum.quorum,
    voting: quorum.voting,
    lost: quorum.lost,
    freshMs: quorum.freshMs,
    verdict: quorum.verdict,
    votes: quorum.votes.map((vote) => ({
      vantage: vote.vantage,
      vote: vote.kind,
      at: isoOrNull(vote.at),
      ageMs: vote.at === null ? null : now - vote.at,
      stale: vote.stale,
      targets: Object.fromEntries(
        Object.entries(vote.targets).map(([id, health]) => [
          id,
          { ...health, since: isoOrNull(health.since) },
        ]),
      ),
      disagrees: vote.disagrees,
    })),
  };
}

function describeHealth(health: TargetHealth, now: number): string {
  const since = health.since === null ? '' : ` since ${isoSeconds(health.since)} (${ago(health.since, now)})`;
  const streak = health.status === 'down' ? `${health.failStreak} failed` : `${health.okStreak} ok`;
  return `${health.status}${since}; last rounds: ${streak}`;
}

function statusJson(
  service: ServiceConfig,
  stored: Versioned<ServiceState> | undefined,
): Record<string, unknown> {
  if (!stored) return { service: service.name, known: false };
  const state = stored.value;
  const order = targetOrder(service);
  const settings = service.policy.activeActive;
  return {
    service: service.name,
    known: true,
    mode: settings === undefined ? 'active-passive' : 'active-active',
    phase: settings === undefined ? phaseOf(state, order) : sharesPhase(state, settings, order),
    active: state.active,
    epoch: state.epoch,
    version: stored.version,
    lastFlipAt: isoOrNull(state.lastFlipAt),
    moving: movingJson(state),
    ramp: state.ramp === null ? null : rampJson(state.ramp),
    // Active-active (issue #13 item 3): the decided weight map and a share ramping back.
    ...(settings === undefined ? {} : { shares: sharesJson(service, settings, state) }),
    lastFailure: state.lastFailure ? { ...state.lastFailure, at: isoOrNull(state.lastFailure.at) } : null,
    hold: state.hold ? { ...state.hold, at: isoOrNull(state.hold.at) } : null,
    paused: state.paused,
    frozen: state.frozen,
    // Most preferred first (ids are never numeric, so the object keeps this order).
    targets: Object.fromEntries(order.map((id) => [id, targetJson(healthOf(state, id))])),
  };
}

/**
 * A gradual failback in words (issue #13): where it stands, when the next step is due and on what.
 *
 * @example
 * describeRamp('payments-api', ramp, 'payments-5xx', now);
 * // 'failing back to the primary in steps 10/50/100 %: at 10 % (step 1 of 3) since … (2 min ago); next 50 % in 45 s if the primary stays up and alarm payments-5xx is OK; a failure returns all traffic to the secondary'
 */
export function describeRamp(service: string, ramp: Ramp, stepAlarm: string | null, now: number): string {
  const next = ramp.steps[ramp.step + 1] ?? 100;
  const due = stepDueAt(ramp);
  const when = due > now ? `in ${formatDuration(due - now)}` : 'at the next round';
  const gate = stepAlarm === null ? '' : ` and alarm ${stepAlarm} is OK`;
  return (
    `failing back to the ${ramp.to} in steps ${ramp.steps.join('/')} %: at ${percentOf(ramp)} % ` +
    `(step ${ramp.step + 1} of ${ramp.steps.length}) since ${isoSeconds(ramp.since)} (${ago(ramp.since, now)}); ` +
    `next ${next} % ${when} if the ${ramp.to} stays up${gate}; a failure returns all traffic to the ${ramp.from} ` +
    `(finish now: failoverctl failback ${service} --steps 100)`
  );
}

function rampJson(ramp: Ramp): Record<string, unknown> {
  return {
    ...ramp,
    percent: percentOf(ramp),
    since: isoOrNull(ramp.since),
    nextStepAt: isoOrNull(stepDueAt(ramp)),
  };
}

function movingJson(state: ServiceState): Record<string, unknown> | null {
  const moving = movingTo(state);
  if (moving === null) return null;
  const weights = state.moving?.weights;
  return {
    to: moving.to,
    since: isoOrNull(moving.since),
    by: moving.by,
    ...(weights === undefined ? {} : { weights }),
  };
}

function targetJson(health: TargetHealth): Record<string, unknown> {
  return {
    status: health.status,
    since: isoOrNull(health.since),
    okStreak: health.okStreak,
    failStreak: health.failStreak,
    last: health.last,
  };
}

function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
