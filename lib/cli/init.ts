/**
 * `osop-sfn init [DIR]`: scaffolds a project that uses osop-sfn as a package:
 * workflows/ with an example (the Stripe payment workflow, whose tests and
 * sandbox run offline) that names the shipped JSON Schema for editors, a CDK
 * app that deploys every workflow in workflows/, a GitHub Actions workflow,
 * and the lines to run them. It never overwrites: when any of its files
 * exists it writes nothing and names them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../package-root';
import { ExitCode } from './output';

/** The editor hint, relative to a file in workflows/: the schema in the installed package. */
export const SCHEMA_HINT = '# yaml-language-server: $schema=../node_modules/osop-sfn/schema/osop-sfn.schema.json';

/** Target path (in DIR) → where its text comes from, in the package. */
const FILES: Record<string, string> = {
  'workflows/payment.osop.yaml': 'workflows/stripe-payment.osop.yaml',
  'workflows/README.md': 'templates/init/README.md',
  'bin/osop-app.ts': 'templates/init/osop-app.ts',
  'cdk.json': 'templates/init/cdk.json',
  'tsconfig.json': 'templates/init/tsconfig.json',
  '.github/workflows/osop-sfn.yml': 'templates/init/github-workflow.yml',
};

export function runInit(dir: string): number {
  const root = packageRoot();
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    process.stderr.write(`osop-sfn: ${dir} is not a folder.\n`);
    return ExitCode.Usage;
  }
  const existing = Object.keys(FILES).filter((f) => fs.existsSync(path.join(dir, f)));
  if (existing.length) {
    process.stderr.write(
      `osop-sfn: init writes nothing, because ${existing.length === 1 ? 'this file exists' : 'these files exist'} in ${dir}: ${existing.join(', ')}.\n` +
        'Run it in an empty folder (osop-sfn init DIR), or add osop-sfn to your CDK app by hand: see "Install in your project" in its README.\n',
    );
    return ExitCode.Failed;
  }
  const texts = Object.entries(FILES).map(([target, source]) => {
    const text = fs.readFileSync(path.join(root, source), 'utf8');
    return [target, target.endsWith('.osop.yaml') ? `${SCHEMA_HINT}\n${text}` : text] as const;
  });
  try {
    for (const [target, text] of texts) {
      const file = path.join(dir, target);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // 'wx': fails rather than replace a file that appeared since the check.
      fs.writeFileSync(file, text, { flag: 'wx' });
    }
  } catch (e) {
    process.stderr.write(`osop-sfn: cannot write in ${dir}: ${(e as NodeJS.ErrnoException).message}\n`);
    return ExitCode.Failed;
  }
  const shown = dir === '.' ? '' : `cd ${dir}\n  `;
  process.stdout.write(
    `Wrote ${Object.keys(FILES).map((f) => path.join(dir, f)).join(', ')}.\n\nNext:\n  ${shown}` +
      'npm install osop-sfn aws-cdk-lib constructs\n  npm install --save-dev aws-cdk tsx typescript @types/node\n' +
      '  npx osop-sfn test workflows/payment.osop.yaml\n  npx osop-sfn run workflows/payment.osop.yaml --sandbox --fast\n  npx cdk synth\n' +
      'More in workflows/README.md.\n',
  );
  return ExitCode.Ok;
}
