/**
 * The osop-sfn package's root folder (its package.json): the repository when
 * running from lib/, the installed package when running from dist/ (dist/cli.js,
 * dist/lib/...). What the package ships beside its code is found from here:
 * the handler bundles (dist/handlers), the init templates, the schema.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return (root = dir);
  }
  return (root = path.resolve(__dirname, '..'));
}
