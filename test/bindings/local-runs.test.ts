/**
 * Every new binding runs end to end through the built CLI, as a user runs it:
 * commands in real child processes (--allow-commands), SQL on an embedded
 * Postgres (--db-init), an MCP tool on a real MCP server over HTTP, OpenAI
 * and Gemini models on the OpenAI-compatible stand-in over HTTP (--sandbox),
 * manual steps answered with --complete, events published in-process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cli, ensureBuilt } from '../cli/helpers';
import { FIXTURES } from '../helpers/paths';

const fixture = (name: string) => path.join(FIXTURES, 'bindings', name);
let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osop-bindings-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('commands (CodeBuild on AWS, a child process locally)', () => {
  const COMMANDS = fixture('commands.osop.yaml');

  test('are refused without --allow-commands, naming the nodes and the flag, before anything runs', async () => {
    const r = await cli(['run', COMMANDS, '--input', '{"version":"1"}', '--complete', 'report_failure'], { NPM_TOKEN: 't' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Node\(s\) 'build', 'check', 'flaky' run shell commands .* only with --allow-commands/);
    expect(r.stdout).toBe('');
  });

  test('run with exported outputs, template values as variables, secrets from the environment; a failing command takes the fallback edge', async () => {
    const log = path.join(dir, 'commands.osoplog.yaml');
    const secret = 'npm_s3cret value+/=';
    const r = await cli(['run', COMMANDS, '--allow-commands', '--input', '{"version":"1.2.3"}', '--complete', 'report_failure={"note":"seen"}', '--fast', '--output', 'json', '--log', log, '--progress'], { NPM_TOKEN: secret });
    expect(r.stderr).not.toContain(secret);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.build).toEqual({ build_id: expect.stringMatching(/^osop-local:/), status: 'SUCCEEDED', ARTIFACT: 'app-1.2.3.tgz' });
    expect(out.check.status).toBe('SUCCEEDED');
    // The failing command (exit 3) is States.TaskFailed, caught by the fallback edge; the manual step's answer is its output.
    expect(r.stderr).toMatch(/flaky caught States\.TaskFailed: .*"BuildStatus":"FAILED"/);
    expect(out.report_failure).toEqual({ note: 'seen' });
    expect(out.announce).toBeUndefined();
    const record = parse(fs.readFileSync(log, 'utf8'));
    expect(record.node_records.map((n: { node_id: string; node_type: string; status: string }) => [n.node_id, n.node_type, n.status])).toEqual([
      ['build', 'cli', 'COMPLETED'],
      ['check', 'cicd', 'COMPLETED'],
      ['flaky', 'cli', 'FAILED'],
      ['report_failure', 'system', 'COMPLETED'],
      ['announce', 'system', 'SKIPPED'],
    ]);
    expect(fs.readFileSync(log, 'utf8')).not.toContain(secret);
  });
});

test('a db node runs its statement on an embedded Postgres; references are SQL parameters, never SQL text', async () => {
  const email = "x@example.com'); DROP TABLE subscribers; --";
  const r = await cli(['run', fixture('database.osop.yaml'), '--db-init', fixture('database-init.sql'), '--input', JSON.stringify({ email }), '--fast', '--output', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.add).toEqual({ updated: 1, rows: [{ id: 2, email }] });
  expect(out.active.rows).toEqual([{ email: 'first@example.com' }, { email }]);
  expect(out.count.rows).toHaveLength(2);
}, 60_000);

test('an MCP tool over Streamable HTTP, then an OpenAI model routes on its typed answer; a Gemini model writes', async () => {
  const r = await cli(['run', fixture('research.osop.yaml'), '--sandbox', '--input', '{"query":"step functions"}', '--complete', 'quick_answer', '--fast', '--output', 'json', '--progress']);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out.search).toEqual(expect.objectContaining({ text: expect.stringContaining('step functions'), count: 0 }));
  expect(out.classify).toEqual(expect.objectContaining({ model: 'gpt-4o-mini', intent: expect.stringMatching(/^(research|question)$/) }));
  // The switch took the case of the typed answer.
  if (out.classify.intent === 'research') expect(out.deep_dive.model).toBe('gemini-2.0-flash');
  else expect(r.stderr).toContain('quick_answer completed');
  expect(r.stderr).not.toMatch(/mcp-sandbox-|sk-proj-sandbox-|AIza-sandbox-/);
});

test('a manual step without --complete and no terminal is refused before the run, naming it', async () => {
  const r = await cli(['run', fixture('research.osop.yaml'), '--sandbox', '--input', '{"query":"q"}']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/waits for the manual step\(s\) quick_answer, and there is no terminal to ask on.*--complete/);
});

test('an entry event node is the trigger (the input is the event detail); a later event node publishes; a manual step answers with its outputs', async () => {
  const r = await cli(['run', fixture('order-events.osop.yaml'), '--input', '{"order_id":"o-9"}', '--complete', 'pack={"parcel":"P-9"}', '--output', 'json', '--progress']);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ pack: { parcel: 'P-9' }, shipped: { event_id: expect.any(String) } });
  expect(r.stderr).toMatch(/shipped published OrderShipped from com\.example\.orders on bus default/);
});

test("osop-sfn test mocks every binding: a build's exported variables, a statement's rows, an event, a manual step's answer", async () => {
  for (const name of ['commands.osop.yaml', 'database.osop.yaml', 'order-events.osop.yaml']) {
    const r = await cli(['test', fixture(name)]);
    expect({ name, code: r.code, out: r.stdout }).toEqual({ name, code: 0, out: expect.stringMatching(/1 passed, 0 failed/) });
  }
});
