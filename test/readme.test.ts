/**
 * The README's TypeScript examples compile against the package's types, as a
 * user's project imports them (`osop-sfn`, `osop-sfn/cdk`, `osop-sfn/local`,
 * mapped to the sources the package's .d.ts files are emitted from), and
 * import nothing but the package, the CDK and Node.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers/paths';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]);
const dir = path.join(ROOT, 'test-output', 'readme-examples');

/** The package's entry points, as its `exports` map names them, to the sources `npm run build` emits them from. */
function packagePaths(): Record<string, string[]> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | { types: string }> };
  const out: Record<string, string[]> = {};
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    const source = target.types.replace(/^\.\/dist\//, './').replace(/\.d\.ts$/, '.ts');
    expect(fs.existsSync(path.join(ROOT, source))).toBe(true);
    out[path.posix.join(pkg.name, sub)] = [source];
  }
  return out;
}

test('the README has TypeScript examples, and each imports only the package, the CDK and Node', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  for (const block of blocks) {
    for (const [, spec] of block.matchAll(/from '([^']+)'/g)) expect(spec).toMatch(/^(osop-sfn(\/(cdk|local))?|aws-cdk-lib(\/[a-z0-9-]+)?|constructs|node:[a-z/]+)$/);
  }
});

test('every TypeScript example compiles against the package', () => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // Each block is its own module (export {}), as each would be a file of the user's project.
  const files = blocks.map((b, i) => {
    const f = path.join(dir, `example-${i + 1}.ts`);
    fs.writeFileSync(f, `${b}\nexport {};\n`);
    return f;
  });
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    baseUrl: ROOT,
    paths: packagePaths(),
  });
  // Only the examples are checked (the package's own sources are checked by tsc -p tsconfig.json): what they use of it must type.
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...files.flatMap((f) => {
      const source = program.getSourceFile(f)!;
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    }),
  ];
  const problems = diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(problems).toEqual([]);
});
