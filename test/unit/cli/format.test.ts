import { describe, expect, it } from 'vitest';
import { jsonLines, shown, table } from '../../../cli/format.ts';
import { ACTIVE_CHARACTER as ACTIVE } from '../../support/terminal.ts';

describe('shown', () => {
  it('shows an escape sequence that would set the terminal title as text', () => {
    // Prepare
    const retitle = 'by mallory\u001b]0;you have been pwned\u0007';

    // Act
    const line = shown(retitle);

    // Assess
    expect(line).toBe('by mallory\\x1b]0;you have been pwned\\x07');
    expect(line).not.toMatch(ACTIVE);
  });

  it('keeps a forged history line on the line of its field', () => {
    const reason = 'ok\n2026-01-01T00:00:00Z  failover  epoch 9  by admin\r';

    expect(shown(reason)).toBe('ok\\n2026-01-01T00:00:00Z  failover  epoch 9  by admin\\r');
  });

  it('escapes DEL, C1 controls, tabs and every bidi override and isolate', () => {
    const hostile = 'a\u007fb\u009b31mc\td\u202ae\u202bf\u202cg\u202dh\u202ei\u2066j\u2067k\u2068l\u2069m';

    expect(shown(hostile)).toBe(
      'a\\x7fb\\x9b31mc\\td\\u202ae\\u202bf\\u202cg\\u202dh\\u202ei\\u2066j\\u2067k\\u2068l\\u2069m',
    );
  });

  it('leaves ordinary text, accents, emoji and backslashes alone', () => {
    expect(shown('Zürich café 🚀 C:\\temp\\x1b')).toBe('Zürich café 🚀 C:\\temp\\x1b');
  });

  it('shows URLs without their query or credentials', () => {
    expect(shown('FAIL http GET https://u:pw@h/health?token=SECRETVALUE: status 503')).toBe(
      'FAIL http GET https://h/health?<redacted>: status 503',
    );
  });
});

describe('jsonLines', () => {
  it('writes JSON that reads back to the same values and holds no active character', () => {
    // Prepare
    const value = { by: 'mallory\u001b]0;x\u0007', reason: 'a\nb', bidi: 'abc\u202edcba', c1: '\u009b2J' };

    // Act
    const lines = jsonLines(value);

    // Assess
    for (const line of lines) expect(line).not.toMatch(ACTIVE);
    expect(JSON.parse(lines.join('\n'))).toEqual(value);
    expect(lines.map(shown)).toEqual(lines);
  });
});

describe('table', () => {
  it('aligns columns as the cells are shown, escapes included', () => {
    const lines = table([
      ['SERVICE', 'HOLD'],
      ['evil\u001b[2J', 'x'],
      ['payments-api', 'y'],
    ]);

    expect(lines).toEqual(['SERVICE       HOLD', 'evil\\x1b[2J   x', 'payments-api  y']);
  });
});
