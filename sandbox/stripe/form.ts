/**
 * Parses a form body in the bracket notation Stripe reads:
 * `metadata[order]=42` → `{ metadata: { order: '42' } }`,
 * `items[0][price]=p` and `expand[]=x` → arrays. Values stay strings, as Stripe receives them.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function parseForm(raw: string): Record<string, FormValue> {
  const root: Record<string, FormValue> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    const path = m ? [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1])] : [key];
    if (path.some((seg) => UNSAFE_KEYS.has(seg))) continue;
    assign(root, path, value);
  }
  return root;
}

function assign(root: Record<string, FormValue>, path: string[], value: string): void {
  let node: Record<string, FormValue> | FormValue[] = root;
  path.forEach((seg, i) => {
    const slot = Array.isArray(node) && seg === '' ? String(node.length) : seg;
    const container = node as Record<string, FormValue>;
    if (i === path.length - 1) {
      container[slot] = value;
      return;
    }
    const existing = container[slot];
    // An index or `[]` next opens an array; a name opens an object.
    if (existing === undefined || typeof existing === 'string') container[slot] = /^\d*$/.test(path[i + 1]) ? [] : {};
    node = container[slot] as Record<string, FormValue> | FormValue[];
  });
}
