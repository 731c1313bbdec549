/**
 * Position look-ups into a loaded document, used by every later stage to
 * attach a source range to a diagnostic.
 */
import type { SourceRange } from '../diagnostics';
import type { LocationTable } from './index';

export class Locator {
  constructor(private readonly table: LocationTable, private readonly fallback: SourceRange) {}

  /** Range of a map or list value. */
  of(value: unknown): SourceRange {
    if (value && typeof value === 'object') return this.table.get(value)?.range ?? this.fallback;
    return this.fallback;
  }

  /** Range of the value under `key` in `container` (a map) or at index `key` (a list). */
  valueOf(container: unknown, key: string | number): SourceRange {
    const loc = container && typeof container === 'object' ? this.table.get(container) : undefined;
    if (!loc) return this.fallback;
    if (typeof key === 'number') return loc.items?.[key]?.range ?? loc.range;
    return loc.keys?.get(key)?.value ?? loc.range;
  }

  /** Range of the key itself (for "unknown key" diagnostics). */
  keyOf(container: unknown, key: string): SourceRange {
    const loc = container && typeof container === 'object' ? this.table.get(container) : undefined;
    return loc?.keys?.get(key)?.key ?? loc?.range ?? this.fallback;
  }

  /** Style of a scalar value (PLAIN, QUOTE_SINGLE, QUOTE_DOUBLE, BLOCK_LITERAL, ...). */
  styleOf(container: unknown, key: string | number): string | undefined {
    const loc = container && typeof container === 'object' ? this.table.get(container) : undefined;
    if (!loc) return undefined;
    if (typeof key === 'number') return loc.items?.[key]?.style;
    return loc.keys?.get(key)?.style;
  }

  /** Follow a path (as zod reports it) to the most precise range known. */
  atPath(root: unknown, path: readonly PropertyKey[]): SourceRange {
    let node: unknown = root;
    let range = this.of(root);
    for (const seg of path) {
      if (!node || typeof node !== 'object') break;
      const key = typeof seg === 'number' ? seg : String(seg);
      range = this.valueOf(node, key);
      node = (node as Record<string | number, unknown>)[key];
    }
    return range;
  }
}
