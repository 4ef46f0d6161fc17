import { describe, expect, it } from 'vitest';
import { detectionDelayMs } from '../../../shared/domain/detection-delay.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';

const DOWN_AT = 1_000_000;
const primaryDown: ServiceState = {
  ...initialState('api', 'primary'),
  targets: { primary: { status: 'down', okStreak: 0, failStreak: 3, since: DOWN_AT, last: [] } },
};

describe('detectionDelayMs', () => {
  it('measures an automatic failover from the round that marked the primary down', () => {
    expect(
      detectionDelayMs({
        state: primaryDown,
        from: 'primary',
        failover: true,
        automatic: true,
        acceptedAt: DOWN_AT + 4_200,
      }),
    ).toBe(4_200);
  });

  it('measures nothing for an operator, a failback, a primary not down, or a clock behind', () => {
    const flip = {
      state: primaryDown,
      from: 'primary',
      failover: true,
      automatic: true,
      acceptedAt: DOWN_AT + 1,
    };

    expect(detectionDelayMs({ ...flip, automatic: false })).toBeNull();
    // A failback leaves the secondary for the primary: not a failover, so not measured.
    expect(detectionDelayMs({ ...flip, from: 'secondary', failover: false })).toBeNull();
    expect(detectionDelayMs({ ...flip, state: initialState('api', 'primary') })).toBeNull();
    expect(detectionDelayMs({ ...flip, acceptedAt: undefined })).toBeNull();
    expect(detectionDelayMs({ ...flip, acceptedAt: DOWN_AT - 1 })).toBeNull();
  });
});
