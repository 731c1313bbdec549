/**
 * The pipeline's shape, checked on the source: no import cycles between the
 * modules of lib/, and lib/cdk and lib/local know no binding: they read the
 * compile report's tasks, never lib/bindings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers/paths';

const LIB = path.join(ROOT, 'lib');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** The lib/ modules a file imports (type-only imports included: a cycle of types is still a cycle of knowledge). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)) {
    const base = path.resolve(path.dirname(file), m[1]);
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    if (target && target.startsWith(LIB)) out.push(target);
  }
  return out;
}

const files = sources(LIB);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => path.relative(ROOT, f);

test('lib/ has no import cycles', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'visiting');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'visiting') cycles.push([...stack.slice(stack.indexOf(g)), g].map(rel).join(' → '));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  expect(cycles).toEqual([]);
});

test('lib/cdk and lib/local read the compile report, never a binding module', () => {
  const offenders = files
    .filter((f) => f.startsWith(path.join(LIB, 'cdk')) || f.startsWith(path.join(LIB, 'local')))
    .flatMap((f) => graph.get(f)!.filter((g) => g.startsWith(path.join(LIB, 'bindings')) || g.startsWith(path.join(LIB, 'lower'))).map((g) => `${rel(f)} imports ${rel(g)}`));
  expect(offenders).toEqual([]);
});
