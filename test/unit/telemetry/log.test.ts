import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/telemetry/log.ts';

describe('createLogger', () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger(
      { fn: 'failover' },
      { write: (line) => lines.push(JSON.parse(line)), now: () => 0 },
    );
    return { lines, log };
  };

  it('writes one JSON line with the level, the time, the message, the base and the fields', () => {
    const { lines, log } = capture();

    log.child({ requestId: 'r-1', coldStart: true }).warn('failover decided', { service: 'api' });

    expect(lines).toEqual([
      {
        level: 'warn',
        time: '1970-01-01T00:00:00.000Z',
        message: 'failover decided',
        fn: 'failover',
        requestId: 'r-1',
        coldStart: true,
        service: 'api',
      },
    ]);
  });

  it('keeps the line its own message, level and time when a field is named like them', () => {
    const { lines, log } = capture();

    log.error('failover failed', { message: 'Route 53 refused the flip', level: 'debug', time: 'x' });

    expect(lines[0]).toMatchObject({
      level: 'error',
      time: '1970-01-01T00:00:00.000Z',
      message: 'failover failed',
      detail: 'Route 53 refused the flip',
    });
  });
});
