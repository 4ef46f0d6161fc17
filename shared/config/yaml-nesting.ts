/**
 * Bounds on how deeply a configuration file nests, checked without recursion. The YAML composer
 * recurses once per level: thousands of levels (`[[[[...` or `- - - ...`, a few KB) overflow the
 * stack, and in Node 22 an overflow inside its regular expressions can abort the whole process
 * the next time YAML is parsed. An alias used inside the collection it names makes a cycle that
 * would send every later reader of the value into endless recursion.
 */
import { Parser } from 'yaml';

/** Collections nested deeper than this are refused; a real configuration nests about 8 levels. */
export const MAX_NESTING_DEPTH = 64;

const COLLECTIONS = new Set(['block-map', 'block-seq', 'flow-collection']);

/** True when the text's collections, as written, nest deeper than `max` (from the syntax tree alone). */
export function writtenNestingExceeds(text: string, max: number = MAX_NESTING_DEPTH): boolean {
  for (const token of new Parser().parse(text)) {
    const stack: [unknown, number][] = [[token, 0]];
    for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
      const [node, depth] = entry;
      if (typeof node !== 'object' || node === null) continue;
      const type: unknown = Reflect.get(node, 'type');
      const inner = typeof type === 'string' && COLLECTIONS.has(type) ? depth + 1 : depth;
      if (inner > max) return true;
      for (const child of Object.values(node)) {
        if (typeof child === 'object' && child !== null) stack.push([child, inner]);
      }
    }
  }
  return false;
}

/** True when the built value nests deeper than `max`; a cyclic value (an alias inside its own anchor) does. */
export function valueNestingExceeds(value: unknown, max: number = MAX_NESTING_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry;
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
