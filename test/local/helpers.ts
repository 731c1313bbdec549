/** Shared pieces of the local-runner tests. */
import { compile } from '../../lib';
import type { AslDefinition, CompileReport } from '../../lib/types';
import { SEED } from '../helpers/paths';

export function compileSeed(): { definition: AslDefinition; report: CompileReport } {
  const r = compile(SEED);
  if (!r.ok || !r.definition || !r.report) throw new Error(`the seed does not compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return { definition: r.definition, report: r.report };
}
