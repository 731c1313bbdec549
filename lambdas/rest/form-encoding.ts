/**
 * `application/x-www-form-urlencoded` in the bracket notation Stripe (and Rails,
 * PHP, qs) parse: `metadata[order]=42`, `items[0][price]=price_1`. Booleans
 * become true/false; null and undefined are left out; an empty string is kept
 * (Stripe reads it as "unset this field").
 */
export function encodeForm(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TypeError('a form-encoded body must be a JSON object');
  }
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(body)) collect(encodeURIComponent(key), value, pairs);
  return pairs.join('&');
}

function collect(key: string, value: unknown, pairs: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => collect(`${key}[${i}]`, item, pairs));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collect(`${key}[${encodeURIComponent(k)}]`, v, pairs);
  } else {
    pairs.push(`${key}=${encodeURIComponent(String(value))}`);
  }
}
