import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/errors.ts';
import { stepsOption } from '../../../cli/steps-option.ts';

describe('stepsOption', () => {
  it('reads --steps as rising percents ending in 100', () => {
    expect(stepsOption('10, 50,100')).toEqual([10, 50, 100]);
    expect(stepsOption('100')).toEqual([100]);
    expect(stepsOption(undefined)).toBeUndefined();
  });

  it.each(['50', '50,10,100', '0,100', '10,x,100', '10.5,100'])(
    'refuses --steps %s, saying what it takes',
    (given) => {
      expect(() => stepsOption(given)).toThrow(UsageError);
      expect(() => stepsOption(given)).toThrow(/rising, ending in 100/);
    },
  );
});
