/**
 * `osop-sfn approve|reject`: the command in-process against a mocked Step
 * Functions API (aws-sdk-client-mock: AWS is the one thing mocked), and its
 * usage errors through the built CLI.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../lib/cli/main';
import { cli, ensureBuilt } from './helpers';

const sfn = mockClient(SFNClient);
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAV0rBgTsm+task/token==';
const savedEnv = { ...process.env };

describe('in-process, Step Functions mocked', () => {
  let out: string;
  let err: string;
  beforeEach(() => {
    sfn.reset();
    out = '';
    err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    process.env = { ...savedEnv, USER: 'alice', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST', AWS_SECRET_ACCESS_KEY: 'local-test-only' };
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = savedEnv;
  });

  test('approve: SendTaskSuccess with {decision, comment, approver}; the approver defaults to $USER', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    expect(await main(['approve', '--token', TOKEN, '--comment', 'ship it'])).toBe(0);
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input.taskToken).toBe(TOKEN);
    expect(JSON.parse(calls[0].args[0].input.output!)).toEqual({ decision: 'approved', comment: 'ship it', approver: 'alice' });
    expect(out).toBe('Approved: the execution continues.\n');
    expect(err).toBe('');
  });

  test('the token can come from a file (--token-file), out of the process list and the shell history', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'osop-token-')), 'token');
    fs.writeFileSync(file, `${TOKEN}\n`);
    sfn.on(SendTaskSuccessCommand).resolves({});
    expect(await main(['approve', '--token-file', file])).toBe(0);
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.taskToken).toBe(TOKEN);
    expect(await main(['approve'])).toBe(2);
    expect(err).toContain('give the task token with --token T, --token - (standard input) or --token-file FILE');
  });

  test('complete: SendTaskSuccess with the outputs given as NAME=VALUE and JSON; --failed is OSOP.Manual.Failed', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
    expect(await main(['complete', '--token', TOKEN, '--output', 'parcel=P-1', '--output', 'weight=2.5', '--output', '{"note": "fragile"}'])).toBe(0);
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.output!)).toEqual({ parcel: 'P-1', weight: 2.5, note: 'fragile' });
    expect(await main(['complete', '--token', TOKEN, '--failed', 'out of stock'])).toBe(0);
    expect(sfn.commandCalls(SendTaskFailureCommand)[0].args[0].input).toMatchObject({ error: 'OSOP.Manual.Failed', cause: 'out of stock' });
  });

  test('approve --approver names who approves; no comment is an empty one', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    expect(await main(['approve', '--token', TOKEN, '--approver', 'bob'])).toBe(0);
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.output!)).toEqual({ decision: 'approved', comment: '', approver: 'bob' });
  });

  test('approve --output sends the given object as the answer', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    const answer = { decision: 'approved', comment: 'with change CHG-7', approver: 'carol', ticket: 'CHG-7' };
    expect(await main(['approve', '--token', TOKEN, '--output', JSON.stringify(answer)])).toBe(0);
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.output!)).toEqual(answer);
  });

  test('reject: SendTaskFailure with OSOP.Approval.Rejected and the comment as its cause', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    expect(await main(['reject', '--token', TOKEN, '--comment', 'not during the freeze'])).toBe(0);
    expect(sfn.commandCalls(SendTaskFailureCommand)[0].args[0].input).toEqual({ taskToken: TOKEN, error: 'OSOP.Approval.Rejected', cause: 'not during the freeze' });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(out).toMatch(/^Rejected: /);
  });

  test('--region and --endpoint reach the client', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    expect(await main(['approve', '--token', TOKEN, '--region', 'ap-southeast-2', '--endpoint', 'http://127.0.0.1:8083'])).toBe(0);
    const client = sfn.commandCalls(SendTaskSuccessCommand)[0].thisValue as SFNClient;
    expect(await client.config.region()).toBe('ap-southeast-2');
    expect((await client.config.endpoint!()).hostname).toBe('127.0.0.1');
  });

  test.each([
    ['TaskTimedOut', /^osop-sfn: This approval is no longer waiting: its state timed out \(TaskTimedOut\)/],
    ['InvalidToken', /^osop-sfn: The token is not a valid task token \(InvalidToken\): copy it whole/],
    ['TaskDoesNotExist', /^osop-sfn: No approval waits for this token \(TaskDoesNotExist\): it has been answered already or its execution has ended/],
    ['AccessDeniedException', /states:SendTaskSuccess and states:SendTaskFailure/],
    ['ServiceUnavailable', /^osop-sfn: ServiceUnavailable: /],
  ])('%s: a message saying what it means, exit 1, the token never printed', async (name, message) => {
    sfn.on(SendTaskSuccessCommand).rejects(Object.assign(new Error(`${name} for token ${TOKEN}`), { name }));
    expect(await main(['approve', '--token', TOKEN])).toBe(1);
    expect(err).toMatch(message);
    expect(out).toBe('');
    expect(err).not.toContain(TOKEN);
  });
});

describe('usage errors through the built CLI: exit 2, nothing sent', () => {
  beforeAll(() => ensureBuilt());
  const long = 'x'.repeat(32769);
  test.each([
    ['no --token', ['approve'], /give the task token with --token T, --token - \(standard input\) or --token-file FILE/],
    ['an empty token', ['approve', '--token', '  '], /^osop-sfn: --token is empty/],
    ['--output not JSON', ['approve', '--token', 't', '--output', '{oops'], /^osop-sfn: --output is not valid JSON/],
    ['--output not an object', ['approve', '--token', 't', '--output', '[1]'], /^osop-sfn: --output must be a JSON object/],
    ['--output without decision', ['approve', '--token', 't', '--output', '{"comment":"x"}'], /^osop-sfn: --output must include "decision"/],
    ['--output with --comment', ['approve', '--token', 't', '--output', '{"decision":"approved"}', '--comment', 'x'], /^osop-sfn: --output is the whole answer/],
    ['reject --approver', ['reject', '--token', 't', '--approver', 'bob'], /unknown option '--approver'/],
    ['a rejection comment over 32768 characters', ['reject', '--token', 't', '--comment', long], /^osop-sfn: --comment is 32769 characters; a rejection's comment may have at most 32768\./],
  ])('%s', async (_what, args, message) => {
    // No region nor credentials: had anything been sent, the error would say so instead.
    const r = await cli(args as string[], { AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_ACCESS_KEY_ID: '', AWS_PROFILE: 'osop-none' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

test('no region anywhere: exit 1, saying where to give one (the real SDK client, nothing sent)', async () => {
  ensureBuilt();
  const r = await cli(['approve', '--token', 'abc'], { AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^osop-sfn: No AWS region: give --region, or set AWS_REGION/m);
});

test('the token can come from standard input (--token -)', async () => {
  ensureBuilt();
  const { spawnSync } = await import('node:child_process');
  const { BIN } = await import('./helpers');
  // No AWS here: the call fails for lack of credentials, after the token was read (it is never printed).
  const r = spawnSync(process.execPath, [BIN, 'approve', '--token', '-', '--region', 'eu-west-1', '--endpoint', 'http://127.0.0.1:9'], { input: `${TOKEN}\n`, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent' } });
  expect(r.status).toBe(1);
  expect(r.stderr).not.toContain(TOKEN);
  expect(r.stderr).not.toMatch(/give the task token/);
});
