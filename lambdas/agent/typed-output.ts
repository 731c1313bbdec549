/**
 * Typed outputs (`outputSchema`), shared by the agent handlers: the model
 * must answer with a JSON object matching the schema. The answer is checked
 * with ajv; an invalid one is sent back once with the validation errors,
 * and a second invalid one fails the node with `OSOP.Llm.Output`.
 */
import type { ValidateFunction } from 'ajv';
import type { AgentResult } from '../../lib/contract/task-payload';
import { HandlerError } from '../shared/handler-error';

/** The tool (Anthropic) or response-format name (OpenAI) the answer is asked for under. */
export const OUTPUT_TOOL_NAME = 'osop_output';

/** What an agent handler returns when the node has an output schema: the answer's fields next to the usual ones. */
export type TypedAgentResult = AgentResult & Record<string, unknown>;

/** Validation errors quoted to the model and in `OSOP.Llm.Output` are cut to this length. */
export const MAX_PROBLEM_CHARS = 600;
/** Distinct schemas compiled per container before the cache (and the ajv instance holding them) is dropped. */
const MAX_CACHED_SCHEMAS = 64;

/** Undefined when the answer is valid, otherwise what is wrong with it (ajv's errorsText, bounded). */
export type OutputValidator = (answer: unknown) => string | undefined;

let ajv: import('ajv').default | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * The validator for a schema, compiled once per container (schemas are keyed
 * by their JSON text: each invocation brings a fresh object). A schema ajv
 * cannot compile is a payload error, raised before any request is sent.
 */
export function outputValidator(schema: Record<string, unknown>): OutputValidator {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    if (compiled.size >= MAX_CACHED_SCHEMAS) {
      compiled.clear();
      ajv = undefined;
    }
    // Loaded here, not imported: importing a handler stays cheap.
    const { default: Ajv } = require('ajv') as typeof import('ajv');
    // strict: false and no logger: schemas written for LLMs carry keywords and formats ajv
    // does not know (they are ignored, not errors). addUsedSchema: false so two schemas
    // with the same $id do not collide in the shared instance.
    ajv ??= new Ajv({ allErrors: true, strict: false, logger: false, addUsedSchema: false });
    try {
      validate = ajv.compile(schema);
    } catch (err) {
      throw new HandlerError('OSOP.Config', `Invalid agent task payload: outputSchema is not a valid JSON Schema: ${(err as Error).message}`);
    }
    compiled.set(key, validate);
  }
  const instance = ajv!;
  const check = validate;
  return (answer) => (check(answer) ? undefined : bound(instance.errorsText(check.errors, { dataVar: 'answer' })));
}

/**
 * An answer taken out of a model response, or why none could be. `truncated`:
 * the response stopped at maxTokens, worth saying when the answer is invalid.
 */
export type Extracted = { answer: unknown; truncated?: boolean } | { problem: string };

/**
 * Asks, checks the answer, and when it is missing or invalid asks once more
 * (`retry` appends the model's answer and a user turn with the problem to
 * the conversation). Returns every response (for usage) and the valid answer.
 */
export async function askWithOneCorrection<R>(opts: {
  nodeId: string;
  validate: OutputValidator;
  first: () => Promise<R>;
  retry: (previous: R, problem: string) => Promise<R>;
  extract: (response: R) => Extracted;
}): Promise<{ responses: R[]; answer: Record<string, unknown> }> {
  const check = (response: R): { answer: Record<string, unknown> } | { problem: string } => {
    const extracted = opts.extract(response);
    if ('problem' in extracted) return { problem: bound(extracted.problem) };
    const problem = opts.validate(extracted.answer);
    if (problem === undefined) return { answer: extracted.answer as Record<string, unknown> };
    return { problem: extracted.truncated ? `${problem} (the answer was cut off: maxTokens reached)` : problem };
  };
  const first = await opts.first();
  const firstCheck = check(first);
  if ('answer' in firstCheck) return { responses: [first], answer: firstCheck.answer };

  const second = await opts.retry(first, firstCheck.problem);
  const secondCheck = check(second);
  if ('answer' in secondCheck) return { responses: [first, second], answer: secondCheck.answer };
  throw new HandlerError(
    'OSOP.Llm.Output',
    `Agent node ${opts.nodeId}: the model's answer does not match the node's output schema, even after a retry with the validation errors: ${secondCheck.problem}`,
  );
}

/** The user turn that asks for a corrected answer. */
export function correctionMessage(problem: string, how: string): string {
  return `Your answer does not match the required output schema: ${problem}. ${how}`;
}

/** The result for a valid typed answer: its JSON as `text`, and its fields at the top level. */
export function typedResult(answer: Record<string, unknown>, base: Omit<AgentResult, 'text'>): TypedAgentResult {
  return { text: JSON.stringify(answer), ...base, ...answer };
}

export function sumUsage(usages: AgentResult['usage'][]): AgentResult['usage'] {
  return usages.reduce((a, u) => ({ input_tokens: a.input_tokens + u.input_tokens, output_tokens: a.output_tokens + u.output_tokens }), {
    input_tokens: 0,
    output_tokens: 0,
  });
}

function bound(text: string): string {
  return text.length <= MAX_PROBLEM_CHARS ? text : `${text.slice(0, MAX_PROBLEM_CHARS - 1)}…`;
}
