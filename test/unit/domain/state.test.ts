import { describe, expect, it } from 'vitest';
import { otherTarget } from '../../../shared/domain/config.ts';
import { activeTarget } from '../../../shared/domain/state.ts';

describe('activeTarget', () => {
  it('keeps traffic on the primary until a failover has completed', () => {
    expect(activeTarget('primary-active')).toBe('primary');
    expect(activeTarget('failing-over')).toBe('primary');
  });

  it('keeps traffic on the secondary until a failback has completed', () => {
    expect(activeTarget('secondary-active')).toBe('secondary');
    expect(activeTarget('failing-back')).toBe('secondary');
  });
});

describe('otherTarget', () => {
  it('names the other side', () => {
    expect(otherTarget('primary')).toBe('secondary');
    expect(otherTarget('secondary')).toBe('primary');
  });
});
