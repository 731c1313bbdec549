/**
 * Writes schema/osop-sfn.schema.json, the JSON Schema the package ships for
 * editors (the same text as `osop-sfn schema`). test/schema checks it is up to date.
 *
 *   npm run schema
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { workflowJsonSchemaText } from '../lib/schema';

export const SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'osop-sfn.schema.json');

if (require.main === module) {
  fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
  fs.writeFileSync(SCHEMA_FILE, workflowJsonSchemaText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
}
