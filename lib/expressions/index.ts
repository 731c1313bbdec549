/**
 * Expressions: OSOP edge conditions lowered to ASL Choice rules, and `${...}`
 * templates lowered to JSONPath / States.Format. Pure functions, no I/O.
 */
export type {
  Span,
  Reference,
  DialectNote,
  ParseResult,
  ExprError,
  ParsedCondition,
  CondExpr,
  PathSegment,
  CompareOp,
  ArithOp,
  LiteralType,
  LiteralValue,
  ResolvedRef,
  Resolver,
  ChoiceRule,
  LoweredCondition,
  TemplatePart,
  ParsedTemplate,
  LoweredTemplate,
} from './types';
export { isExprError } from './types';
export { parseCondition } from './condition-parser';
export { lowerCondition, lowerSwitchCase, escapeStringMatches } from './lower-condition';
export { parseTemplate, lowerTemplate, escapeIntrinsicString, escapeTemplateText, intrinsicStringArgument, secretPlaceholder } from './template';
export { jsonPathOf, isAddressableSegment } from './jsonpath';
export { describeReference, resolverOf } from './references';
