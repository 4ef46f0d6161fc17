/**
 * failoverctl on the local stack, reading a state item and audit events whose text was written to
 * attack the terminal: an ESC]0; sequence (sets the window title), CR/LF (forge a history line),
 * C1 CSI, DEL and bidi overrides, plus a check label stored with a token in its query (as written
 * before labels were redacted). Stored through the real state store, read back through the CLI.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateStoreFromEnv } from '../../../shared/aws/state-store.ts';
import type { AuditEvent } from '../../../shared/domain/events.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import type { StateStore } from '../../../shared/domain/ports.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';
import { type Harness, startHarness } from '../../e2e/harness.ts';
import { ACTIVE_CHARACTER } from '../../support/terminal.ts';
import { runCli } from './run-cli.ts';

const SERVICE = 'alpha';
const RETITLE = '\u001b]0;you have been pwned\u0007';
const FORGED_LINE = '2026-01-01T00:00:00Z  failback  epoch 99  by admin';
const NOW = Date.parse('2026-12-07T00:00:00Z');

const HOSTILE_STATE: ServiceState = {
  ...initialState(SERVICE, 'primary'),
  active: 'secondary',
  epoch: 3,
  lastFlipAt: NOW - 60_000,
  hold: {
    kind: 'planned-failover',
    by: `mallory${RETITLE}`,
    reason: `patching\n${FORGED_LINE}`,
    at: NOW - 60_000,
  },
  targets: {
    primary: {
      status: 'down',
      okStreak: 0,
      failStreak: 3,
      since: NOW - 120_000,
      last: [
        {
          check: 'http GET https://alpha.example.test/health?token=SECRETVALUE',
          ok: false,
          latencyMs: 12,
          reason: 'body "\u202egnikrow\u202c" \u009b2J\u007f',
        },
      ],
    },
  },
};

const HOSTILE_EVENT: AuditEvent = {
  service: SERVICE,
  at: NOW - 60_000,
  id: 'hostile-1',
  kind: 'planned-failover',
  epoch: 3,
  from: 'primary',
  to: 'secondary',
  reason: `patching\r\n${FORGED_LINE}${RETITLE}\u202e\u009b`,
  requestedBy: `mallory${RETITLE}`,
  outcome: 'failed-over',
};

/** Lines of `text` that a terminal would show; fails if any control character reached it. */
function terminalLines(text: string): string[] {
  const lines = text.split('\n').slice(0, -1);
  for (const line of lines) expect(line).not.toMatch(ACTIVE_CHARACTER);
  return lines;
}

describe('failoverctl output of hostile stored text', () => {
  let h: Harness;
  let store: StateStore;

  beforeAll(async () => {
    h = await startHarness([{ name: SERVICE, failback: 'manual' }]);
    store = stateStoreFromEnv();
    await store.save(HOSTILE_STATE, null);
    await store.appendAudit(HOSTILE_EVENT);
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('prints history with every control character visible and the forged line kept inside its field', async () => {
    // Act
    const run = await runCli(['history', SERVICE]);

    // Assess
    expect(run.code).toBe(0);
    const lines = terminalLines(run.out);
    expect(lines.some((line) => line.startsWith(FORGED_LINE))).toBe(false);
    expect(lines).toContain(`    patching\\r\\n${FORGED_LINE}\\x1b]0;you have been pwned\\x07\\u202e\\x9b`);
    expect(lines[0]).toMatch(/ by mallory\\x1b\]0;you have been pwned\\x07$/);
  });

  it('prints history as JSON that reads back to the stored event and carries no control character', async () => {
    const run = await runCli(['history', SERVICE, '--json']);

    expect(run.code).toBe(0);
    terminalLines(run.out);
    const events = JSON.parse(run.out) as AuditEvent[];
    expect(events[0]).toMatchObject({ reason: HOSTILE_EVENT.reason, requestedBy: HOSTILE_EVENT.requestedBy });
  });

  it('prints status with the hold, the check results and a stored URL made safe', async () => {
    const run = await runCli(['status']);

    expect(run.code).toBe(0);
    const lines = terminalLines(run.out);
    expect(lines.some((line) => line.startsWith(FORGED_LINE))).toBe(false);
    expect(run.out).toContain(`planned-failover by mallory\\x1b]0;you have been pwned\\x07 at `);
    expect(run.out).toContain(`patching\\n${FORGED_LINE}`);
    expect(run.out).toContain(
      'FAIL http GET https://alpha.example.test/health?<redacted>: body "\\u202egnikrow\\u202c" \\x9b2J\\x7f (12 ms)',
    );
    expect(run.out).not.toContain('SECRETVALUE');
  });

  it('prints status as JSON whose text reads back unchanged, but for the redacted query', async () => {
    const run = await runCli(['status', '--json']);

    expect(run.code).toBe(0);
    terminalLines(run.out);
    const body = JSON.parse(run.out) as {
      services: {
        hold: { by: string; reason: string };
        targets: { primary: { last: { check: string; reason: string }[] } };
      }[];
    };
    const [alpha] = body.services;
    expect(alpha?.hold).toMatchObject({ by: `mallory${RETITLE}`, reason: `patching\n${FORGED_LINE}` });
    expect(alpha?.targets.primary.last[0]).toEqual({
      check: 'http GET https://alpha.example.test/health?<redacted>',
      ok: false,
      latencyMs: 12,
      reason: 'body "\u202egnikrow\u202c" \u009b2J\u007f',
    });
  });

  it('prints a configuration error about a hostile key as one line per problem, escapes shown', async () => {
    // Prepare: an unknown key that would retitle the terminal and forge a second problem line
    const file = join(dirname(h.configFile), 'hostile-key.yml');
    const key = `probeEvery${RETITLE}\n  - defaults.failback: forged`;
    await writeFile(file, `defaults:\n  ${JSON.stringify(key)}: 5\nservices: []\n`);

    // Act
    const run = await runCli(['validate', '--config', file]);

    // Assess
    expect(run.code).toBe(2);
    const lines = terminalLines(run.err);
    expect(lines.filter((line) => line.startsWith('  - '))).toHaveLength(2);
    expect(lines.some((line) => line.startsWith('  - defaults.failback: forged'))).toBe(false);
    expect(run.err).toContain(
      'unknown field "probeEvery\\x1b]0;you have been pwned\\x07\\n  - defaults.failback: forged"',
    );
  });
});
