import { describe, expect, it } from 'vitest';
import { parseJsonPath, readJsonPath } from '../../../shared/probes/json-path.ts';

describe('json paths', () => {
  it('parses dotted keys and array indexes', () => {
    expect(parseJsonPath('status')).toEqual(['status']);
    expect(parseJsonPath('checks.db.ok')).toEqual(['checks', 'db', 'ok']);
    expect(parseJsonPath('items[0].state')).toEqual(['items', 0, 'state']);
    expect(parseJsonPath('grid[1][2]')).toEqual(['grid', 1, 2]);
    expect(parseJsonPath('[3].id')).toEqual([3, 'id']);
  });

  it('rejects malformed paths', () => {
    for (const path of ['', 'a..b', 'a.', 'items[x]', 'items[0', 'a.[0]', 'a[-1]']) {
      expect(parseJsonPath(path), path).toBeNull();
    }
  });

  it('reads nested values and reports what is missing', () => {
    const document = { status: 'ok', checks: { db: { ok: false } }, items: [{ state: null }] };

    expect(readJsonPath(document, ['checks', 'db', 'ok'])).toEqual({ found: true, value: false });
    expect(readJsonPath(document, ['items', 0, 'state'])).toEqual({ found: true, value: null });
    expect(readJsonPath(document, ['items', 1, 'state'])).toEqual({ found: false });
    expect(readJsonPath(document, ['status', 'length'])).toEqual({ found: false });
    expect(readJsonPath(document, ['items', 'length'])).toEqual({ found: false });
    expect(readJsonPath(document, ['toString'])).toEqual({ found: false });
  });
});
