import { z } from 'zod';
import { unknownKeyMessage } from './schema-issues.ts';
import { describeValue, listChoices } from './wording.ts';

/**
 * A mapping with exactly one key that says what it is, as in `- http: {...}` or `- slack: {...}`.
 * `shape` holds the variants, each optional; `what` names the thing in errors ("check").
 */
export function singleKey<Shape extends z.core.$ZodLooseShape>(what: string, shape: Shape) {
  const kinds = Object.keys(shape);
  const expected = `a mapping with exactly one of ${listChoices(kinds)}`;
  const variants = z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'invalid_type' ? `must be ${expected}, got ${describeValue(issue.input)}` : undefined,
  });
  return z.preprocess((value, context) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    const known = keys.filter((key) => kinds.includes(key));
    for (const key of keys.filter((name) => !kinds.includes(name))) {
      context.addIssue({ code: 'custom', path: [key], message: unknownKeyMessage(key, kinds), input: value });
    }
    if (known.length > 1) {
      context.addIssue({
        code: 'custom',
        message: `has ${listChoices(known).replace(' or ', ' and ')}; a ${what} is ${expected} (write one ${what} for each)`,
        input: value,
      });
    } else if (keys.length === 0) {
      context.addIssue({ code: 'custom', message: `is empty; a ${what} is ${expected}`, input: value });
    }
    return value;
  }, variants);
}
