/**
 * A service's targets as written, for the rules that read the raw file: `primary:` and `secondary:`,
 * or each entry of `targets:`, with the field path of each (`['primary']`, `['targets', 2]`).
 */
import type { FieldPath } from './field-path.ts';
import { asList, asMapping, type Mapping } from './raw-document.ts';

export interface TargetEntry {
  /** The path of the target within its service. */
  readonly at: FieldPath;
  readonly target: unknown;
}

/**
 * @example
 * targetEntries({ primary: {...}, secondary: {...} }).map((e) => e.at); // [['primary'], ['secondary']]
 */
export function targetEntries(service: Mapping): TargetEntry[] {
  const listed = asList(service.targets).map(
    (target, index): TargetEntry => ({ at: ['targets', index], target }),
  );
  const sugar = (['primary', 'secondary'] as const).flatMap((side): TargetEntry[] =>
    asMapping(service[side]) === undefined ? [] : [{ at: [side], target: service[side] }],
  );
  return [...sugar, ...listed];
}

/** `primary`, or `targets[2]`: how the file names a target. */
export function formatTargetPath(at: FieldPath): string {
  return at.length === 1 ? String(at[0]) : `${String(at[0])}[${String(at[1])}]`;
}
