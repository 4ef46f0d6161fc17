import { describe, expect, it } from 'vitest';
import {
  describePropagation,
  MAX_FIXED_DELAY_MS,
  PropagationOptionError,
  parsePropagation,
  propagationDelay,
  REALISTIC,
} from '../../../local/route53/propagation.ts';
import { seededRandom } from '../../chaos/soak/random.ts';

describe('parsePropagation', () => {
  it('reads instant, realistic and a number of milliseconds', () => {
    const parsed = ['instant', 'Realistic', '2500', '0'].map((text) =>
      parsePropagation(text, '--propagation'),
    );

    expect(parsed).toEqual([
      { kind: 'instant' },
      { kind: 'realistic' },
      { kind: 'fixed', delayMs: 2500 },
      { kind: 'instant' },
    ]);
  });

  it.each(['slow', '', '-1', '1.5', String(MAX_FIXED_DELAY_MS + 1)])(
    'refuses %j, naming the option and what is allowed',
    (text) => {
      const parse = () => parsePropagation(text, '--propagation');

      expect(parse).toThrow(PropagationOptionError);
      expect(parse).toThrow(
        `--propagation must be instant, realistic or a whole number of milliseconds 0..600000, got '${text}'`,
      );
    },
  );
});

describe('propagationDelay', () => {
  it('is 0 for instant and the given delay for fixed', () => {
    expect(propagationDelay({ kind: 'instant' })).toBe(0);
    expect(propagationDelay({ kind: 'fixed', delayMs: 750 })).toBe(750);
  });

  it('draws realistic delays with the documented median, 90th percentile and bounds', () => {
    const seeded = seededRandom(42);
    const random = () => seeded.next();
    const draws = Array.from({ length: 20_000 }, () => propagationDelay({ kind: 'realistic', random }));
    const sorted = [...draws].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;

    expect(at(0.5)).toBeGreaterThan(REALISTIC.medianMs * 0.95);
    expect(at(0.5)).toBeLessThan(REALISTIC.medianMs * 1.05);
    expect(at(0.9)).toBeGreaterThan(REALISTIC.p90Ms * 0.95);
    expect(at(0.9)).toBeLessThan(REALISTIC.p90Ms * 1.05);
    expect(sorted[0]).toBeGreaterThanOrEqual(REALISTIC.minMs);
    expect(sorted.at(-1)).toBeLessThanOrEqual(REALISTIC.maxMs);
  });

  it('keeps the extreme rolls within 5 s .. 300 s', () => {
    expect(propagationDelay({ kind: 'realistic', random: () => 0 })).toBe(REALISTIC.minMs);
    expect(propagationDelay({ kind: 'realistic', random: () => 0.999_999_999_9 })).toBe(REALISTIC.maxMs);
  });
});

describe('describePropagation', () => {
  it('says that instant propagation is local only', () => {
    expect(describePropagation({ kind: 'instant' })).toContain('local only');
    expect(describePropagation({ kind: 'realistic' })).toContain('median 30 s, 90% within 60 s');
  });
});
