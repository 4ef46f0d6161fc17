/**
 * Lenient reading of the document as written, for the rules that span fields: a value of the
 * wrong shape reads as absent, since the schema reports it.
 */
import type { z } from 'zod';

export type Mapping = Readonly<Record<string, unknown>>;

export function asMapping(value: unknown): Mapping | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Mapping)
    : undefined;
}

export function asList(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `value` as `schema` reads it, or undefined when it is not valid. */
export function validValue<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}
