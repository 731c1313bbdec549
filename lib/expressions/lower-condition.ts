/**
 * Lowering of a parsed condition to an ASL Choice rule (JSONPath query language).
 *
 * Semantics where ASL and CEL differ (documented in docs and tested):
 *  - An absent value (`mayBeAbsent`) behaves like null: `x == 'a'`, `x < 3`,
 *    `x.startsWith('a')` and the bare `x` are false; `x != 'a'` is true (it is
 *    exactly `!(x == 'a')`); `x == null` is true. CEL would raise an error.
 *    Likewise `has(a.b)` means present and not null (as @bufbuild/cel does).
 *    Guards rely on And/Or evaluating left to right and stopping early, which
 *    both AWS and the local engine do (`[IsPresent, cmp]`).
 *  - Comparing values of different types is false (`x < 3` when x is a
 *    string), where CEL raises "no matching overload". Ordering comparisons
 *    carry an IsNumeric/IsString test: the local engine would otherwise order
 *    `"2" < 3` and `null < 3` as JavaScript does (true).
 *  - Field against field: the `...Path` operators need the second value to
 *    exist and have the operator's type (the local engine raises otherwise),
 *    so each branch tests both types first.
 * Whatever Choice rules cannot express is an ExprError at the offending
 * sub-expression, never an approximate rule.
 */
import { describeReference } from './references';
import { unparse } from './unparse';
import {
  isExprError,
  type ChoiceRule,
  type CompareOp,
  type CondExpr,
  type ExprError,
  type LiteralType,
  type LiteralValue,
  type LoweredCondition,
  type ParsedCondition,
  type Reference,
  type ResolvedRef,
  type Resolver,
  type Span,
} from './types';

class LowerFailure extends Error {
  constructor(public readonly error: ExprError) {
    super(error.message);
  }
}

type Kind = 'string' | 'number' | 'boolean';
type PathOperand = { k: 'path'; path: string; mayBeAbsent: boolean; type?: Kind; truthy?: string; name: string; span: Span };
type LitOperand = { k: 'lit'; type: LiteralType; value: LiteralValue; span: Span; text: string };
type BoolOperand = { k: 'bool'; cond: LoweredCondition; span: Span };
type Operand = PathOperand | LitOperand | BoolOperand;

const constant = (value: boolean): LoweredCondition => ({ kind: 'constant', value });
const ruleOf = (rule: ChoiceRule): LoweredCondition => ({ kind: 'rule', rule });

const FLIP: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const ORDER_SUFFIX: Record<string, string> = { '<': 'LessThan', '<=': 'LessThanEquals', '>': 'GreaterThan', '>=': 'GreaterThanEquals' };
const TYPE_PREFIX: Record<Kind, string> = { string: 'String', number: 'Numeric', boolean: 'Boolean' };
const TYPE_TEST: Record<Kind, string> = { string: 'IsString', number: 'IsNumeric', boolean: 'IsBoolean' };

const SIZE_MESSAGE = 'Choice rules cannot compute the size of a list; expose the count as an output.';
const SUPPORTED = "Conditions can use ==, !=, <, <=, >, >=, &&, ||, !, 'in [...]', has(), startsWith(), endsWith() and contains().";
const MACROS = new Set(['exists', 'all', 'exists_one', 'map', 'filter']);
const CONVERSIONS = new Set(['int', 'uint', 'double', 'string', 'bool', 'bytes', 'type', 'dyn', 'timestamp', 'duration']);
const OSOP_FUNCTIONS = new Set(['status', 'duration_of', 'error_of', 'attempt', 'now']);

function literalKind(t: LiteralType): Kind | 'null' | 'bytes' {
  if (t === 'int' || t === 'uint' || t === 'double') return 'number';
  if (t === 'bool') return 'boolean';
  return t;
}

function describeKind(k: string): string {
  return k === 'boolean' ? 'true/false value' : k === 'null' ? 'null' : k === 'bytes' ? 'bytes value' : k === 'number' ? 'number' : 'text';
}

/** Code-point order, as CEL compares strings (JavaScript's `<` compares UTF-16 units). */
function compareStrings(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** ASL StringMatches: `*` is the only wildcard; a literal `*` or `\` is escaped with `\`. */
export function escapeStringMatches(s: string): string {
  return s.replace(/[\\*]/g, (c) => `\\${c}`);
}

function and(rules: ChoiceRule[]): ChoiceRule {
  const flat = rules.flatMap((r) => (Object.keys(r).length === 1 && Array.isArray(r.And) ? (r.And as ChoiceRule[]) : [r]));
  return flat.length === 1 ? flat[0] : { And: flat };
}
function or(rules: ChoiceRule[]): ChoiceRule {
  const flat = rules.flatMap((r) => (Object.keys(r).length === 1 && Array.isArray(r.Or) ? (r.Or as ChoiceRule[]) : [r]));
  return flat.length === 1 ? flat[0] : { Or: flat };
}
function not(rule: ChoiceRule): ChoiceRule {
  if (Object.keys(rule).length === 1 && rule.Not) return rule.Not as ChoiceRule;
  return { Not: rule };
}
function negate(c: LoweredCondition): LoweredCondition {
  return c.kind === 'constant' ? constant(!c.value) : ruleOf(not(c.rule));
}
function combine(kind: 'And' | 'Or', parts: LoweredCondition[]): LoweredCondition {
  const rules: ChoiceRule[] = [];
  for (const p of parts) {
    if (p.kind === 'constant') {
      if (p.value === (kind === 'Or')) return constant(p.value);
      continue;
    }
    rules.push(p.rule);
  }
  if (rules.length === 0) return constant(kind === 'And');
  return ruleOf(kind === 'And' ? and(rules) : or(rules));
}

class Lowerer {
  private readonly resolved = new Map<Reference, ResolvedRef>();

  constructor(
    private readonly text: string,
    private readonly resolver: Resolver,
  ) {}

  private fail(message: string, span: Span, hint?: string): never {
    throw new LowerFailure(hint === undefined ? { message, span } : { message, span, hint });
  }

  private resolve(ref: Reference): ResolvedRef {
    let r = this.resolved.get(ref);
    if (!r) {
      const got = this.resolver(ref);
      if (isExprError(got)) throw new LowerFailure(got);
      r = got;
      this.resolved.set(ref, r);
    }
    return r;
  }

  private src(e: CondExpr): string {
    return unparse(e, this.text);
  }

  /** Guard a rule that needs the value present: absent counts as "false". */
  private present(p: PathOperand, rule: ChoiceRule): ChoiceRule {
    return p.mayBeAbsent ? and([{ Variable: p.path, IsPresent: true }, rule]) : rule;
  }
  private nullish(p: PathOperand): ChoiceRule {
    const isNull = { Variable: p.path, IsNull: true };
    return p.mayBeAbsent ? or([not({ Variable: p.path, IsPresent: true }), isNull]) : isNull;
  }

  bool(e: CondExpr): LoweredCondition {
    switch (e.kind) {
      case 'literal':
        if (e.type === 'bool') return constant(e.value as boolean);
        return this.fail(`A condition must be true or false; ${this.src(e)} is ${article(describeKind(literalKind(e.type)))}.`, e.span);
      case 'ref': {
        const p = this.path(e);
        if (p.truthy !== undefined) return ruleOf(this.present(p, { Variable: p.path, StringEquals: p.truthy }));
        if (p.type && p.type !== 'boolean') {
          this.fail(`'${p.name}' is ${article(describeKind(p.type))}, not true or false.`, e.span, `Compare it with a value, e.g. ${p.name} == ${p.type === 'number' ? '0' : "'...'"}.`);
        }
        return ruleOf(this.present(p, { Variable: p.path, BooleanEquals: true }));
      }
      case 'not':
        return negate(this.bool(e.operand));
      case 'and':
      case 'or': {
        const operands: CondExpr[] = [];
        const stack: CondExpr[] = [e];
        while (stack.length) {
          const x = stack.pop()!;
          if (x.kind === e.kind) stack.push(x.right, x.left);
          else operands.push(x);
        }
        return combine(e.kind === 'and' ? 'And' : 'Or', operands.map((x) => this.bool(x)));
      }
      case 'compare':
        return this.compare(e.op, this.operand(e.left), this.operand(e.right), e.span);
      case 'in':
        return this.inList(e);
      case 'has': {
        // Present and not null: absent behaves like null, and handlers return a missing optional output as null.
        const path = this.resolve(e.target.ref).path;
        return ruleOf(and([{ Variable: path, IsPresent: true }, not({ Variable: path, IsNull: true })]));
      }
      case 'call':
        return this.call(e);
      default:
        return this.notAValue(e);
    }
  }

  /** Errors for what can be neither a condition nor a compared value. */
  private notAValue(e: CondExpr): never {
    switch (e.kind) {
      case 'size':
        return this.fail(SIZE_MESSAGE, e.span, e.spelling === 'size()' ? 'Add an output that holds the size and compare it.' : `If '${e.spelling.slice(1)}' is a field, write ${this.src(e.operand)}['${e.spelling.slice(1)}'].`);
      case 'arith': {
        const written = this.text.slice(e.span.offset, e.span.offset + e.span.length);
        if (e.op === '-' && /^[A-Za-z_][\w-]*$/.test(written)) {
          return this.fail(`Choice rules cannot compute arithmetic: CEL reads '${written}' as a subtraction.`, e.span, `If '${written}' is a node id, name one of its outputs: ${written}.field or outputs['${written}'].field.`);
        }
        return this.fail(`Choice rules cannot compute arithmetic ('${e.op}').`, e.span, 'Compute the value in a node and expose it as an output, or compare against a precomputed constant.');
      }
      case 'negate':
        return this.fail("Choice rules cannot compute arithmetic (unary '-').", e.span, 'Compare against a constant instead.');
      case 'ternary':
        return this.fail("Choice rules have no conditional expression ('? :').", e.span, 'Split it into separate edges, one per case.');
      case 'list':
        return this.fail("A list can only appear after 'in' (x in ['a', 'b']).", e.span);
      case 'map':
        return this.fail('Choice rules cannot compare maps.', e.span);
      case 'select':
      case 'index':
        return this.fail('Choice rules can only read fields of inputs and outputs, not of a computed value.', e.span, 'Use a constant index or key on a reference: node.items[0], node.data[\'key\'].');
      case 'call':
        return this.fail(`'${e.name}()' does not produce a value that a Choice rule can compare.`, e.span, SUPPORTED);
      default:
        return this.fail(`${this.src(e)} cannot be used here.`, e.span);
    }
  }

  private path(e: CondExpr & { kind: 'ref' }): PathOperand {
    const r = this.resolve(e.ref);
    return { k: 'path', path: r.path, mayBeAbsent: r.mayBeAbsent, type: r.type, truthy: r.truthy, name: describeReference(e.ref), span: e.span };
  }

  private operand(e: CondExpr): Operand {
    switch (e.kind) {
      case 'ref':
        return this.path(e);
      case 'literal':
        return { k: 'lit', type: e.type, value: e.value, span: e.span, text: this.src(e) };
      case 'compare':
      case 'in':
      case 'and':
      case 'or':
      case 'not':
      case 'has':
        return { k: 'bool', cond: this.bool(e), span: e.span };
      case 'call':
        // Only the string tests lower; call() reports every other function.
        return { k: 'bool', cond: this.call(e), span: e.span };
      default:
        return this.notAValue(e);
    }
  }

  private compare(op: CompareOp, left: Operand, right: Operand, span: Span): LoweredCondition {
    if (left.k === 'bool' || right.k === 'bool') return this.compareBooleans(op, left, right, span);
    if (left.k === 'lit' && right.k === 'lit') return this.fold(op, left, right, span);
    if (left.k === 'lit' && right.k === 'path') return this.pathLiteral(FLIP[op], right, left, span);
    if (left.k === 'path' && right.k === 'lit') return this.pathLiteral(op, left, right, span);
    return this.pathPath(op, left as PathOperand, right as PathOperand, span);
  }

  /** `(a > 1) == true`, `approved == (x > 1)`: equivalence of two conditions. */
  private compareBooleans(op: CompareOp, left: Operand, right: Operand, span: Span): LoweredCondition {
    if (op !== '==' && op !== '!=') this.fail(`Choice rules cannot order true/false values ('${op}').`, span);
    const asCond = (o: Operand): LoweredCondition => {
      if (o.k === 'bool') return o.cond;
      if (o.k === 'lit') {
        if (o.type !== 'bool') this.fail(`This compares a condition with ${article(describeKind(literalKind(o.type)))} (${o.text}); it is never equal.`, span);
        return constant(o.value as boolean);
      }
      if (o.truthy !== undefined) return ruleOf(this.present(o, { Variable: o.path, StringEquals: o.truthy }));
      if (o.type && o.type !== 'boolean') this.fail(`This compares a condition with '${o.name}', which is ${article(describeKind(o.type))}.`, span);
      return ruleOf(this.present(o, { Variable: o.path, BooleanEquals: true }));
    };
    const a = asCond(left);
    const b = asCond(right);
    let eq: LoweredCondition;
    if (a.kind === 'constant') eq = a.value ? b : negate(b);
    else if (b.kind === 'constant') eq = b.value ? a : negate(a);
    else eq = ruleOf(or([and([a.rule, b.rule]), and([not(a.rule), not(b.rule)])]));
    return op === '==' ? eq : negate(eq);
  }

  private fold(op: CompareOp, a: LitOperand, b: LitOperand, span: Span): LoweredCondition {
    const ka = literalKind(a.type);
    const kb = literalKind(b.type);
    if (ka !== kb) {
      this.fail(`This compares ${article(describeKind(ka))} (${a.text}) with ${article(describeKind(kb))} (${b.text}).`, span, 'Quote both values or neither.');
    }
    if (ka === 'bytes') this.fail('Bytes values are not supported in conditions.', span);
    if (op === '==' || op === '!=') return constant((a.value === b.value) === (op === '=='));
    if (ka === 'null') this.fail('null cannot be ordered.', span);
    const d = ka === 'string' ? compareStrings(a.value as string, b.value as string) : Number(a.value) - Number(b.value);
    const result = op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
    return constant(result);
  }

  private checkNumber(l: LitOperand): number {
    const v = l.value as number;
    if ((l.type === 'int' || l.type === 'uint') && !Number.isSafeInteger(v)) {
      this.fail(`${l.text} is too large to compare exactly: Step Functions numbers are 64-bit floating point.`, l.span);
    }
    return v;
  }

  private pathLiteral(op: CompareOp, p: PathOperand, l: LitOperand, span: Span): LoweredCondition {
    const kind = literalKind(l.type);
    if (kind === 'bytes') this.fail('Bytes values are not supported in conditions.', l.span);
    if (kind === 'null') {
      if (op === '==') return ruleOf(this.nullish(p));
      if (op === '!=') return ruleOf(not(this.nullish(p)));
      this.fail('null cannot be ordered.', span);
    }
    if (p.type && p.type !== kind) {
      this.fail(`'${p.name}' is ${article(describeKind(p.type))} but is compared with ${article(describeKind(kind))} (${l.text}).`, span, p.type === 'string' ? `Quote the value: ${p.name} ${op} '${String(l.value)}'.` : undefined);
    }
    const value = kind === 'number' ? this.checkNumber(l) : l.value;
    if (op === '==' || op === '!=') {
      const eq = this.present(p, { Variable: p.path, [`${TYPE_PREFIX[kind]}Equals`]: value });
      return ruleOf(op === '==' ? eq : not(eq));
    }
    if (kind === 'boolean') this.fail(`Choice rules cannot order true/false values ('${op}').`, span);
    const cmp = { Variable: p.path, [`${TYPE_PREFIX[kind]}${ORDER_SUFFIX[op]}`]: value };
    return ruleOf(this.present(p, and([{ Variable: p.path, [TYPE_TEST[kind]]: true }, cmp])));
  }

  private pathPath(op: CompareOp, a: PathOperand, b: PathOperand, span: Span): LoweredCondition {
    if (a.type && b.type && a.type !== b.type) {
      this.fail(`This compares '${a.name}' (${article(describeKind(a.type))}) with '${b.name}' (${article(describeKind(b.type))}).`, span);
    }
    const known = a.type ?? b.type;
    const guards = [a, b].filter((x) => x.mayBeAbsent).map((x) => ({ Variable: x.path, IsPresent: true }));
    const branch = (k: Kind, suffix: string) =>
      and([...guards, { Variable: a.path, [TYPE_TEST[k]]: true }, { Variable: b.path, [TYPE_TEST[k]]: true }, { Variable: a.path, [`${TYPE_PREFIX[k]}${suffix}Path`]: b.path }]);
    if (op === '==' || op === '!=') {
      const kinds: Kind[] = known ? [known] : ['string', 'number', 'boolean'];
      // Absent and null are equal to each other (absent behaves like null).
      const eq = or([...kinds.map((k) => branch(k, 'Equals')), and([this.nullish(a), this.nullish(b)])]);
      return ruleOf(op === '==' ? eq : not(eq));
    }
    if (known === 'boolean') this.fail(`Choice rules cannot order true/false values ('${op}').`, span);
    const kinds: Kind[] = known ? [known] : ['number', 'string'];
    return ruleOf(or(kinds.map((k) => branch(k, ORDER_SUFFIX[op]))));
  }

  private inList(e: CondExpr & { kind: 'in' }): LoweredCondition {
    if (e.right.kind !== 'list') {
      const what = e.right.kind === 'ref' ? 'Choice rules cannot search a list held in data.' : "'in' needs a list of values here.";
      this.fail(what, e.right.span, "Write the values out: x in ['a', 'b'].");
    }
    const left = this.operand(e.left);
    if (left.k === 'bool') this.fail("The left side of 'in' must be a value, not a condition.", e.left.span);
    const items = e.right.items.map((item) => {
      const o = this.operand(item);
      if (o.k === 'bool') this.fail('A list after \'in\' holds values, not conditions.', item.span);
      return o;
    });
    if (items.length === 0) return constant(false);
    // One presence guard around the alternatives when every item is a non-null literal.
    if (left.k === 'path' && left.mayBeAbsent && items.every((i) => i.k === 'lit' && i.type !== 'null')) {
      const inner = { ...left, mayBeAbsent: false };
      const alternatives = combine('Or', dedupe(items).map((i) => this.compare('==', inner, i, e.span)));
      return alternatives.kind === 'constant' ? alternatives : ruleOf(this.present(left, alternatives.rule));
    }
    return combine('Or', dedupe(items).map((i) => this.compare('==', left, i, e.span)));
  }

  private call(e: CondExpr & { kind: 'call' }): LoweredCondition {
    const name = e.name;
    if (['startsWith', 'endsWith', 'contains'].includes(name) && e.target) {
      if (e.target.kind !== 'ref') this.fail(`${name}() can only be applied to an input or an output here.`, e.target.span);
      if (e.args.length !== 1) this.fail(`${name}() takes one argument.`, e.span);
      const arg = e.args[0];
      if (arg.kind !== 'literal' || arg.type !== 'string') {
        this.fail(`The argument of ${name}() must be a text literal: Choice rules can only match against constants.`, arg.span, `e.g. ${this.src(e.target)}.${name}('abc')`);
      }
      const p = this.path(e.target);
      if (p.type && p.type !== 'string') this.fail(`'${p.name}' is ${article(describeKind(p.type))}; ${name}() applies to text.`, e.target.span);
      const lit = escapeStringMatches(arg.value as string);
      const pattern = name === 'startsWith' ? `${lit}*` : name === 'endsWith' ? `*${lit}` : `*${lit}*`;
      return ruleOf(this.present(p, and([{ Variable: p.path, IsString: true }, { Variable: p.path, StringMatches: pattern }])));
    }
    if (name === 'matches') this.fail('Choice rules have no regular expressions.', e.span, 'Use startsWith(), endsWith() or contains(), or expose a true/false output from the node.');
    if (MACROS.has(name)) this.fail(`Choice rules cannot iterate over a list ('${name}').`, e.span, 'Compute the answer in the node and expose it as a true/false output.');
    if (CONVERSIONS.has(name)) this.fail(`Choice rules cannot convert values ('${name}()').`, e.span, 'Have the node output the value with the right type.');
    if (OSOP_FUNCTIONS.has(name)) this.fail(`'${name}()' is not available: a state machine cannot evaluate it in a Choice rule.`, e.span, SUPPORTED);
    this.fail(`'${name}()' cannot be expressed as a Choice rule.`, e.span, SUPPORTED);
  }
}

function dedupe<T extends Operand>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    if (i.k !== 'lit') return true;
    const key = `${literalKind(i.type)}:${JSON.stringify(i.value)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function article(noun: string): string {
  return noun === 'null' ? 'null' : /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

export function lowerCondition(cond: ParsedCondition, resolve: Resolver): LoweredCondition | ExprError {
  if (cond.isOtherwise) return constant(true);
  try {
    return new Lowerer(cond.text, resolve).bool(cond.expr);
  } catch (e) {
    if (e instanceof LowerFailure) return e.error;
    throw e;
  }
}

/**
 * One case of a `switch` edge: `subject == value`, where the subject is the
 * edge's `when` (a single reference) and the value a case's `value`.
 */
export function lowerSwitchCase(subject: ParsedCondition, value: string | number | boolean | null, resolve: Resolver): LoweredCondition | ExprError {
  const e = subject.expr;
  if (e.kind !== 'ref') return { message: 'The expression of a switch must be a single input or output.', span: e.span };
  const type: LiteralType = value === null ? 'null' : typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int' : 'double';
  const literal: CondExpr = { kind: 'literal', type, value, span: e.span };
  return lowerCondition({ ...subject, isOtherwise: false, expr: { kind: 'compare', op: '==', left: e, right: literal, span: e.span, opSpan: e.span } }, resolve);
}
