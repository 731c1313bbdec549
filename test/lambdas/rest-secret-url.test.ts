/**
 * A URL that is a secret as a whole (a Slack webhook URL listed under
 * security.secrets): the handler may call it, at its own origin only, and the
 * compiled payload puts the same placeholder in allowedOrigin.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compile } from '../../lib';
import { handler } from '../../lambdas/rest';
import { captureConsole, restPayload, thrown } from './payloads';

let server: Server;
let hook: string;
const received: { method?: string; url?: string }[] = [];
const saved = { ...process.env };
beforeAll(async () => {
  server = createServer((req, res) => {
    received.push({ method: req.method, url: req.url });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/secretpart`;
  process.env.SLACK_WEBHOOK_URL = hook;
  delete process.env.OSOP_SECRETS_SOURCE;
});
afterAll(async () => {
  process.env = saved;
  await new Promise((resolve) => server.close(resolve));
});

test('the compiler writes the placeholder as the URL and as the allowed origin; `${NAME}` of a listed secret is read as a secret', () => {
  const source = `osop_version: "1.0"\nid: hook\nname: Hook\nsecurity: { secrets: [SLACK_WEBHOOK_URL] }\nnodes:\n  - id: notify\n    type: api\n    runtime: { endpoint: "\${SLACK_WEBHOOK_URL}", method: POST, body: { text: done } }\n`;
  const r = compile('hook.osop.yaml', { source });
  expect(r.ok).toBe(true);
  expect(r.diagnostics.map((d) => d.code)).toContain('OSOP3023');
  const payload = (r.definition!.States.notify as { Parameters: { Payload: Record<string, unknown> } }).Parameters.Payload;
  expect(payload.allowedOrigin).toBe('${secrets.SLACK_WEBHOOK_URL}');
  expect((payload.request as { url: string }).url).toBe('${secrets.SLACK_WEBHOOK_URL}');
  expect(payload.secretFields).toEqual({ '/request/url': ['SLACK_WEBHOOK_URL'], '/allowedOrigin': ['SLACK_WEBHOOK_URL'] });
});

test('the handler calls the secret URL; its value never appears in the result or the log', async () => {
  const console = captureConsole();
  try {
    const payload = restPayload({
      request: { method: 'POST', url: '${secrets.SLACK_WEBHOOK_URL}', headers: {}, body: { text: 'done' }, contentType: 'application/json' },
      allowedOrigin: '${secrets.SLACK_WEBHOOK_URL}',
      secretFields: { '/request/url': ['SLACK_WEBHOOK_URL'], '/allowedOrigin': ['SLACK_WEBHOOK_URL'] },
      outputs: [{ name: 'ok', path: '$.ok', required: true }],
    });
    expect(await handler(payload)).toEqual({ ok: true });
    expect(received.at(-1)).toEqual({ method: 'POST', url: '/hooks/T000/B000/secretpart' });
    expect(console.lines.join('\n')).not.toContain('secretpart');
  } finally {
    console.restore();
  }
});

test('a URL from data is still refused when the allowed origin is a secret', async () => {
  const payload = restPayload({
    request: { method: 'POST', url: 'https://attacker.example.com/x', headers: {}, contentType: 'application/json' },
    allowedOrigin: '${secrets.SLACK_WEBHOOK_URL}',
    secretFields: { '/allowedOrigin': ['SLACK_WEBHOOK_URL'] },
    outputs: [],
  });
  const e = await thrown(() => handler(payload));
  expect(e.name).toBe('OSOP.Config');
  expect(e.message).not.toContain('secretpart');
});
