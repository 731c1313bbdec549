/**
 * Conditions executed: lowered rules run in aws-local-stepfunctions and are
 * compared with CEL's own evaluator (@bufbuild/cel) on the same data.
 */
import { isCelError, run as celRun } from '@bufbuild/cel';
import fc from 'fast-check';
import { jsonPathOf, lowerCondition, parseCondition, type LoweredCondition, type Resolver } from '../../lib/expressions';
import { choiceDefinition, choose, validate } from './engine';
import { testResolver } from './resolver';

function lowered(text: string, resolver: Resolver = testResolver): LoweredCondition {
  const p = parseCondition(text);
  if (!p.ok) throw new Error(`parse: ${p.error.message}`);
  const l = lowerCondition(p.value, resolver);
  if ('message' in l) throw new Error(`lower: ${l.message}`);
  return l;
}

/** Run `text` with bare names bound under $.outputs.prev (absent keys left out). */
async function decide(text: string, prev: Record<string, unknown>): Promise<boolean> {
  return choose(lowered(text), { outputs: { prev, node: prev } });
}

describe('absent values behave like null', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ["maybe_x == 'a'", {}, false],
    ["maybe_x == 'a'", { maybe_x: 'a' }, true],
    ["maybe_x != 'a'", {}, true],
    ["maybe_x != 'a'", { maybe_x: 'a' }, false],
    ['maybe_x < 3', {}, false],
    ['!(maybe_x < 3)', {}, true],
    ['maybe_x < 3', { maybe_x: 2 }, true],
    ['maybe_x == null', {}, true],
    ['maybe_x == null', { maybe_x: null }, true],
    ['maybe_x == null', { maybe_x: 0 }, false],
    ['maybe_x != null', {}, false],
    ['maybe_x', {}, false],
    ['!maybe_x', {}, true],
    ['maybe_x', { maybe_x: true }, true],
    ["maybe_x.startsWith('a')", {}, false],
    ["maybe_x in ['a', 'b']", {}, false],
    ["maybe_x in ['a', 'b']", { maybe_x: 'b' }, true],
    ['maybe_x in [null, 1]', {}, true],
    ['maybe_x == maybe_y', {}, true],
    ['maybe_x == maybe_y', { maybe_y: null }, true],
    ['maybe_x == maybe_y', { maybe_y: 'a' }, false],
    ['maybe_x != maybe_y', { maybe_x: 'a' }, true],
    ['maybe_x == maybe_y', { maybe_x: 1, maybe_y: 1.0 }, true],
    ['maybe_x < maybe_y', { maybe_x: 1 }, false],
    ['maybe_x < maybe_y', { maybe_x: 'a', maybe_y: 'b' }, true],
    ['has(node.maybe_x)', {}, false],
    ['has(node.maybe_x)', { maybe_x: null }, false],
    ['has(node.maybe_x)', { maybe_x: false }, true],
  ])('%s on %j -> %s', async (text, data, expected) => {
    expect(await decide(text, data)).toBe(expected);
  });
});

describe('values of another type compare false (CEL would raise an error)', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    // Without the IsNumeric test the local engine orders these as JavaScript does.
    ['x < 3', { x: '2' }, false],
    ['x < 3', { x: null }, false],
    ['x >= 0', { x: false }, false],
    ["x < 'b'", { x: 1 }, false],
    ["x.startsWith('a')", { x: 5 }, false],
    ["x == 'a'", { x: ['a'] }, false],
    ['x', { x: 'true' }, false],
    ['a < b', { a: 1, b: 'x' }, false],
    ['a < b', { a: 'x', b: 1 }, false],
    ['a < b', { a: null, b: 1 }, false],
    ['a == b', { a: null, b: 'x' }, false],
    ['a == b', { a: 'x', b: null }, false],
    ['a == b', { a: { k: 1 }, b: { k: 1 } }, false],
    ['a == b', { a: true, b: true }, true],
    ['a != b', { a: 1, b: '1' }, true],
  ])('%s on %j -> %s', async (text, data, expected) => {
    expect(await decide(text, data)).toBe(expected);
  });
});

describe('string tests through StringMatches', () => {
  it.each<[string, string, boolean]>([
    ["x.startsWith('a*')", 'a*b', true],
    ["x.startsWith('a*')", 'aXb', false],
    ["x.endsWith('*')", 'ab*', true],
    ["x.endsWith('*')", 'ab', false],
    ["x.contains('\\\\')", 'a\\b', true],
    ["x.contains('\\\\')", 'ab', false],
    ["x.contains('\\\\*')", 'a\\*b', true],
    ["x.contains('\\\\*')", 'a\\b', false],
    ["x contains 'err'", 'an error', true],
    ["x.contains('[a]')", '[a]', true],
    ["x.contains('[a]')", 'a', false],
    ["x.startsWith('日本')", '日本語', true],
  ])('%s on %j -> %s', async (text, x, expected) => {
    expect(await decide(text, { x })).toBe(expected);
  });

  it('known local-engine deviation: ? is a wildcard in its StringMatches (AWS: only *)', async () => {
    expect(await decide("x.contains('a?c')", { x: 'abc' })).toBe(true);
  });
});

it('reads metadata.run_id from the context object', async () => {
  expect(await choose(lowered("metadata.run_id == 'exec-7'"), {}, 'exec-7')).toBe(true);
  expect(await choose(lowered("metadata.run_id == 'exec-7'"), {}, 'exec-8')).toBe(false);
});

// ---- property: the Choice state takes the branch CEL computes -------------------------

type Kind = 'string' | 'int' | 'double' | 'bool' | 'null' | 'absent';
type Family = 'string' | 'number' | 'bool' | 'null';
const FIELDS = ['v0', 'v1', 'v2', 'v3'];
const family = (k: Kind): Family => (k === 'int' || k === 'double' ? 'number' : k === 'absent' ? 'null' : k);

// No `?` (a wildcard in the local engine) and only BMP characters (JavaScript and CEL order them alike).
const CHARS = ['a', 'b', 'Z', ' ', '*', '\\', "'", '"', 'é', '日', '-', '.'];
const text = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 4 });
const double = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.integer({ min: -5, max: 5 }).map((n) => n + 0.5), fc.integer({ min: -3, max: 3 }));
const VALUES: Record<Kind, fc.Arbitrary<unknown>> = {
  string: text,
  int: fc.integer({ min: -5, max: 5 }),
  double,
  bool: fc.boolean(),
  null: fc.constant(null),
  absent: fc.constant(undefined),
};

function celString(s: string, single: boolean): string {
  if (!single) return JSON.stringify(s);
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
function celDouble(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}
/** A CEL literal of a family, as text. */
function literal(f: Family): fc.Arbitrary<string> {
  switch (f) {
    case 'string':
      return fc.tuple(text, fc.boolean()).map(([s, single]) => celString(s, single));
    case 'number':
      return fc.oneof(fc.integer({ min: -5, max: 5 }).map(String), double.map(celDouble));
    case 'bool':
      return fc.boolean().map(String);
    case 'null':
      return fc.constant('null');
  }
}

interface Case {
  kinds: Kind[];
  values: unknown[];
  typed: boolean;
  maybeAll: boolean;
}
/** A condition in two spellings: ours (with dialect words) and plain CEL for the reference evaluator. */
type Cond = { ours: string; cel: string };

function atom(c: Case): fc.Arbitrary<Cond> {
  const fams = c.kinds.map(family);
  const idx = (pred: (f: Family) => boolean) => FIELDS.map((_, i) => i).filter((i) => pred(fams[i]));
  const same = (a: Cond['ours']): Cond => ({ ours: a, cel: a });
  const options: fc.Arbitrary<Cond>[] = [];
  const anyFamily = fc.constantFrom<Family>('string', 'number', 'bool', 'null');
  const litFor = (f: Family) => (c.typed ? fc.constantFrom(f, 'null' as Family) : fc.oneof(fc.constant(f), anyFamily)).chain(literal);
  // field ==/!= literal (either side)
  options.push(
    fc.integer({ min: 0, max: 3 }).chain((i) =>
      fc.tuple(fc.constantFrom('==', '!='), litFor(fams[i]), fc.boolean()).map(([op, lit, flip]) => same(flip ? `${lit} ${op} ${FIELDS[i]}` : `${FIELDS[i]} ${op} ${lit}`)),
    ),
  );
  const ordered = idx((f) => f === 'number' || f === 'string');
  if (ordered.length) {
    options.push(
      fc.constantFrom(...ordered).chain((i) =>
        fc.tuple(fc.constantFrom('<', '<=', '>', '>='), literal(fams[i]), fc.boolean()).map(([op, lit, flip]) => same(flip ? `${lit} ${op} ${FIELDS[i]}` : `${FIELDS[i]} ${op} ${lit}`)),
      ),
    );
  }
  // field against field
  const pairs = FIELDS.flatMap((_, i) => FIELDS.map((__, j) => [i, j] as const)).filter(([i, j]) => !c.typed || fams[i] === fams[j] || fams[i] === 'null' || fams[j] === 'null');
  options.push(fc.tuple(fc.constantFrom(...pairs), fc.constantFrom('==', '!=')).map(([[i, j], op]) => same(`${FIELDS[i]} ${op} ${FIELDS[j]}`)));
  const orderedPairs = pairs.filter(([i, j]) => fams[i] === fams[j] && (fams[i] === 'number' || fams[i] === 'string'));
  if (orderedPairs.length) {
    options.push(fc.tuple(fc.constantFrom(...orderedPairs), fc.constantFrom('<', '<=', '>', '>=')).map(([[i, j], op]) => same(`${FIELDS[i]} ${op} ${FIELDS[j]}`)));
  }
  // in [...]
  options.push(fc.integer({ min: 0, max: 3 }).chain((i) => fc.array(litFor(fams[i]), { maxLength: 3 }).map((items) => same(`${FIELDS[i]} in [${items.join(', ')}]`))));
  // string tests
  const strings = idx((f) => f === 'string');
  if (strings.length) {
    options.push(
      fc.tuple(fc.constantFrom(...strings), fc.constantFrom('startsWith', 'endsWith', 'contains', 'infix'), text, fc.boolean()).map(([i, fn, s, single]) => {
        const lit = celString(s, single);
        const cel = `${FIELDS[i]}.${fn === 'infix' ? 'contains' : fn}(${lit})`;
        return { ours: fn === 'infix' ? `${FIELDS[i]} contains ${lit}` : cel, cel };
      }),
    );
  }
  // bare booleans
  const bools = idx((f) => f === 'bool' && true);
  const presentBools = bools.filter((i) => c.kinds[i] === 'bool');
  if (presentBools.length) options.push(fc.tuple(fc.constantFrom(...presentBools), fc.boolean()).map(([i, neg]) => same(`${neg ? '!' : ''}${FIELDS[i]}`)));
  // presence
  options.push(fc.integer({ min: 0, max: 3 }).map((i) => same(`has(node.${FIELDS[i]})`)));
  options.push(fc.constantFrom('true', 'false').map(same));
  return fc.oneof(...options);
}

function condition(c: Case, depth: number): fc.Arbitrary<Cond> {
  if (depth === 0) return atom(c);
  const sub = condition(c, depth - 1);
  return fc.oneof(
    { weight: 2, arbitrary: atom(c) },
    {
      weight: 2,
      arbitrary: fc.tuple(sub, sub, fc.constantFrom('&&', 'AND', 'and', '||', 'OR', 'or')).map(([a, b, op]) => {
        const cel = op === '&&' || op.toLowerCase() === 'and' ? '&&' : '||';
        return { ours: `(${a.ours}) ${op} (${b.ours})`, cel: `(${a.cel}) ${cel} (${b.cel})` };
      }),
    },
    { weight: 1, arbitrary: fc.tuple(sub, fc.constantFrom('!', 'NOT ')).map(([a, op]) => ({ ours: `${op}(${a.ours})`, cel: `!(${a.cel})` })) },
  );
}

const caseArb: fc.Arbitrary<[Case, Cond]> = fc
  .tuple(fc.array(fc.constantFrom<Kind>('string', 'int', 'double', 'bool', 'null', 'absent'), { minLength: 4, maxLength: 4 }), fc.boolean(), fc.boolean())
  .chain(([kinds, typed, maybeAll]) => fc.tuple(...kinds.map((k) => VALUES[k])).map((values) => ({ kinds, values, typed, maybeAll })))
  .chain((c) => condition(c, 2).map((cond) => [c, cond] as [Case, Cond]));

function resolverFor(c: Case): Resolver {
  return (ref) => {
    if (ref.kind !== 'output') return { message: 'unexpected', span: ref.span };
    const field = ref.node === null ? ref.path[0] : ref.path[0];
    const kind = c.kinds[FIELDS.indexOf(field)];
    const type = !c.typed ? undefined : kind === 'string' ? 'string' : kind === 'int' || kind === 'double' ? 'number' : kind === 'bool' ? 'boolean' : undefined;
    return { path: jsonPathOf(['outputs', ref.node ?? 'prev', field]), mayBeAbsent: kind === 'absent' || c.maybeAll, ...(type ? { type } : {}) };
  };
}

describe('property: Choice rules agree with CEL', () => {
  it('random comparisons, logic, in-lists, string tests and has() choose the branch CEL computes', async () => {
    let validated = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ([c, cond]) => {
        const data: Record<string, unknown> = {};
        const bindings: Record<string, unknown> = {};
        FIELDS.forEach((f, i) => {
          bindings[f] = c.values[i] === undefined ? null : c.values[i];
          if (c.kinds[i] !== 'absent') data[f] = c.values[i];
        });
        bindings.node = data;
        const expected = celRun(cond.cel, bindings as never);
        if (isCelError(expected)) throw new Error(`CEL could not evaluate ${cond.cel}: ${expected.message}`);
        const parsed = parseCondition(cond.ours);
        if (!parsed.ok) throw new Error(`parse ${cond.ours}: ${parsed.error.message}`);
        const l = lowerCondition(parsed.value, resolverFor(c));
        if ('message' in l) throw new Error(`lower ${cond.ours}: ${l.message}`);
        expect(await choose(l, { outputs: { prev: data, node: data } })).toBe(expected);
        if (l.kind === 'rule' && validated++ % 10 === 0) expect(validate(choiceDefinition(l.rule))).toEqual({ asl: [], statelint: [] });
      }),
      { numRuns: 300 },
    );
  });
});
