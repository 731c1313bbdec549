/**
 * A small answer that matches a JSON Schema, for the LLM stand-ins when a
 * request asks for structured output and no answer has been queued: local
 * runs of workflows with typed agent outputs then get plausible values.
 * Covers the keywords an output schema typically uses (type, properties,
 * required, items, enum, const, minimum, minItems); not a general generator.
 */
export function sampleAnswer(schema: unknown, name = 'value'): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return {};
  const s = schema as Record<string, unknown>;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) return sampleAnswer(options[0], name);
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') ?? s.type[0] : s.type;
  switch (type) {
    case 'string':
      return s.format === 'date-time' ? '2025-01-01T00:00:00Z' : s.format === 'date' ? '2025-01-01' : s.format === 'email' ? 'user@example.com' : `sample ${name}`;
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const count = typeof s.minItems === 'number' ? s.minItems : 1;
      return Array.from({ length: count }, () => sampleAnswer(s.items, name));
    }
    default: {
      const properties = (s.properties && typeof s.properties === 'object' ? s.properties : {}) as Record<string, unknown>;
      const required = Array.isArray(s.required) ? (s.required as string[]) : [];
      const keys = [...new Set([...Object.keys(properties), ...required])];
      return Object.fromEntries(keys.map((key) => [key, sampleAnswer(properties[key] ?? { type: 'string' }, key)]));
    }
  }
}
