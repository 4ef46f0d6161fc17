/**
 * `failoverctl status`: where each configured service's traffic is and what the controller last
 * recorded about its targets, read from the state table in one batch.
 */
import type { Versioned } from '../../shared/domain/ports.ts';
import { activeTarget, movingTo, type ServiceState, type TargetHealth } from '../../shared/domain/state.ts';
import {
  DASHBOARD_URL_VARIABLE,
  dashboardName,
  dashboardUrl,
} from '../../shared/telemetry/dashboard-link.ts';
import { type Command, flagOption } from '../command.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK } from '../errors.ts';
import { ago, isoSeconds, jsonLines, table } from '../format.ts';

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
    "Ends with the link to the stage's CloudWatch dashboard ($DASHBOARD_URL, else from --stage and --region).",
    EVIDENCE_NOTE,
  ],
  options: { json: { type: 'boolean' } },
  positionals: [],
  async run(ctx: CliContext, args) {
    const services = ctx.config().services.map((s) => s.name);
    const states = await ctx.store().loadAll(services);
    const now = ctx.clock.now();
    if (flagOption(args.values, 'json')) {
      const body = {
        table: ctx.tableName(),
        note: EVIDENCE_NOTE,
        services: services.map((name) => statusJson(name, states.get(name))),
      };
      for (const line of jsonLines(body)) ctx.print(line);
      return EXIT_OK;
    }
    const rows = [['SERVICE', 'PHASE', 'ACTIVE', 'PRIMARY', 'SECONDARY', 'SINCE', 'HOLD', 'PAUSED', 'EPOCH']];
    for (const name of services) rows.push(statusRow(name, states.get(name)?.value));
    for (const line of table(rows)) ctx.print(line);
    for (const name of services) {
      const state = states.get(name)?.value;
      if (state) for (const line of evidenceLines(state, now)) ctx.print(line);
    }
    ctx.print();
    ctx.print(`SINCE: when traffic last moved. ${EVIDENCE_NOTE}`);
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

function statusRow(name: string, state: ServiceState | undefined): string[] {
  if (!state) return [name, 'not seen yet', 'primary?', 'unknown', 'unknown', '-', '-', 'no', '-'];
  const moving = movingTo(state);
  return [
    name,
    // A flip in flight shows by its direction, the operator's too (its phase stays put meanwhile).
    moving === null ? state.phase : moving.to === 'secondary' ? 'failing-over' : 'failing-back',
    activeTarget(state.phase),
    state.primary.status,
    state.secondary.status,
    isoSeconds(state.lastFlipAt),
    state.hold ? state.hold.kind : '-',
    state.paused ? 'yes' : 'no',
    String(state.epoch),
  ];
}

function evidenceLines(state: ServiceState, now: number): string[] {
  const lines = ['', `${state.service}:`];
  for (const target of ['primary', 'secondary'] as const) {
    lines.push(`  ${target.padEnd(9)} ${describeHealth(state[target], now)}`);
    for (const check of state[target].last) {
      lines.push(
        `            ${check.ok ? 'ok  ' : 'FAIL'} ${check.check}: ${check.reason} (${Math.round(check.latencyMs)} ms)`,
      );
    }
  }
  if (state.hold) {
    lines.push(
      `  hold      ${state.hold.kind} by ${state.hold.by} at ${isoSeconds(state.hold.at)}: ${state.hold.reason} ` +
        `(release: failoverctl failback ${state.service}, or failoverctl resume ${state.service})`,
    );
  }
  if (state.paused) lines.push(`  paused    automation is paused (failoverctl resume ${state.service})`);
  if (state.frozen) lines.push('  frozen    automatic failback is frozen (flapping): fail back by hand');
  const moving = movingTo(state);
  if (moving !== null) {
    const verb = moving.to === 'secondary' ? 'failing over to the secondary' : 'failing back to the primary';
    const since =
      moving.since === null ? '' : ` since ${isoSeconds(moving.since)} (${ago(moving.since, now)})`;
    lines.push(`  moving    ${verb}${since}, requested by ${moving.by} (epoch ${state.epoch})`);
  }
  if (state.lastFailure !== null) {
    const f = state.lastFailure;
    lines.push(
      `  failed    the last flip to the ${f.to} (by ${f.by}, epoch ${f.epoch}) failed at ${isoSeconds(f.at)} ` +
        `(${ago(f.at, now)}): ${f.error} (failoverctl history ${state.service})`,
    );
  }
  return lines;
}

function describeHealth(health: TargetHealth, now: number): string {
  const since = health.since === null ? '' : ` since ${isoSeconds(health.since)} (${ago(health.since, now)})`;
  const streak = health.status === 'down' ? `${health.failStreak} failed` : `${health.okStreak} ok`;
  return `${health.status}${since}; last rounds: ${streak}`;
}

function statusJson(name: string, stored: Versioned<ServiceState> | undefined): Record<string, unknown> {
  if (!stored) return { service: name, known: false };
  const state = stored.value;
  return {
    service: name,
    known: true,
    phase: state.phase,
    active: activeTarget(state.phase),
    epoch: state.epoch,
    version: stored.version,
    lastFlipAt: isoOrNull(state.lastFlipAt),
    pendingSince: isoOrNull(state.pendingSince),
    moving: movingJson(state),
    lastFailure: state.lastFailure ? { ...state.lastFailure, at: isoOrNull(state.lastFailure.at) } : null,
    hold: state.hold ? { ...state.hold, at: isoOrNull(state.hold.at) } : null,
    paused: state.paused,
    frozen: state.frozen,
    primary: targetJson(state.primary),
    secondary: targetJson(state.secondary),
  };
}

function movingJson(state: ServiceState): Record<string, unknown> | null {
  const moving = movingTo(state);
  return moving === null ? null : { to: moving.to, since: isoOrNull(moving.since), by: moving.by };
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
