/**
 * A small JSONPath subset for output mappings: `$`, `.name`, `['name']`,
 * `["name"]` and `[0]`. Enough for `$.id`, `$.charges.data[0].id` and
 * `$['a-b'].c`; wildcards, recursion and filters are refused.
 */
type PathSegment = string | number;

export class JsonPathSyntaxError extends Error {}

export function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith('$')) throw new JsonPathSyntaxError('must start with "$"');
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[^.[\]*]+/.exec(path.slice(i + 1));
      if (!m) throw new JsonPathSyntaxError(`expected a property name at position ${i + 1}`);
      segments.push(m[0]);
      i += 1 + m[0].length;
    } else if (path[i] === '[') {
      const rest = path.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(['"])((?:\\.|(?!\1).)*)\1\]/.exec(rest);
      if (index) {
        segments.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted) {
        segments.push(quoted[2].replace(/\\(.)/g, '$1'));
        i += quoted[0].length;
      } else {
        throw new JsonPathSyntaxError(`unsupported bracket expression at position ${i}`);
      }
    } else {
      throw new JsonPathSyntaxError(`unexpected "${path[i]}" at position ${i}`);
    }
  }
  return segments;
}

/** The value at `path`, or undefined when any step is missing. Only own properties are followed. */
export function evaluateJsonPath(root: unknown, path: string): unknown {
  let current = root;
  for (const seg of parseJsonPath(path)) {
    if (typeof seg === 'number') {
      if (!Array.isArray(current) || seg >= current.length) return undefined;
      current = current[seg];
    } else {
      if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, seg)) {
        return undefined;
      }
      current = (current as Record<string, unknown>)[seg];
    }
  }
  return current;
}
