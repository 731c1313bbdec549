/** `osop-sfn schema`: the JSON Schema of workflow files (lib/schema; test/schema checks its content). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SCHEMA_FILE } from '../../scripts/schema';
import { cli, ensureBuilt } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-schema-'));
beforeAll(() => ensureBuilt());
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('schema prints the shipped schema, or writes it with -o', async () => {
  const shipped = fs.readFileSync(SCHEMA_FILE, 'utf8');
  const printed = await cli(['schema']);
  expect(printed.code).toBe(0);
  expect(printed.stdout).toBe(shipped);
  const out = path.join(tmp, 'schema.json');
  expect((await cli(['schema', '-o', out])).code).toBe(0);
  expect(fs.readFileSync(out, 'utf8')).toBe(shipped);
  const unwritable = await cli(['schema', '-o', path.join(tmp, 'no-such-folder', 'schema.json')]);
  expect(unwritable.code).toBe(1);
  expect(unwritable.stderr).toMatch(/^osop-sfn: cannot write .*schema\.json: ENOENT/);
});
