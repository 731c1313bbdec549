/**
 * A native HTTP Task (`arn:aws:states:::http:invoke`) in-process: the request the Task's Parameters describe,
 * sent with the REST handler's own request logic (the one origin the node may call, routes to the sandbox, form
 * or JSON encoding, the response read capped), the credential added as its EventBridge connection adds it (the
 * secret from the local secret store; the connection's header wins over the definition's), answered as Step
 * Functions answers: `{StatusCode, StatusText, Headers, ResponseBody}` (the body parsed when it is JSON), a non-2xx
 * status failing with `States.Http.StatusCode.<code>`, no response with `States.Http.Socket` (Developer Guide,
 * "Call HTTPS APIs in Step Functions workflows"). The definition's Retry, Catch and ResultSelector do the rest.
 */
import type { RestTaskPayload } from '../contract/task-payload';
import type { TaskReport } from '../types';
import { taskError, type LocalTaskHandler } from './handlers';

interface HttpInvokeParameters {
  ApiEndpoint: string;
  Method: string;
  Headers?: Record<string, string>;
  QueryParameters?: Record<string, string | number | boolean>;
  RequestBody?: unknown;
  Transform?: { RequestBodyEncoding?: string };
}

/** "HTTP task requests will timeout after 60 seconds." */
const HTTP_TASK_TIMEOUT_MS = 60_000;

export function httpTaskInvoker(task: TaskReport): LocalTaskHandler {
  return async (input) => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const rest = require('../../lambdas/rest') as typeof import('../../lambdas/rest');
    const { buildRequest } = require('../../lambdas/rest/request') as typeof import('../../lambdas/rest/request');
    const { parseJsonBody, statusError } = require('../../lambdas/rest/response') as typeof import('../../lambdas/rest/response');
    const { resolveTarget, describeUrl } = require('../../lambdas/rest/target') as typeof import('../../lambdas/rest/target');
    const { defaultSecretSource, readSecret } = require('../../lambdas/shared/secrets') as typeof import('../../lambdas/shared/secrets');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const p = input as HttpInvokeParameters;
    const connection = task.connection;
    if (!connection || !task.origin) throw taskError('States.Runtime', `'${task.state}' is an HTTP Task without a connection or origin in the compile report.`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.Headers ?? {})) headers[k] = String(v);
    let credential: string;
    try {
      credential = await readSecret(defaultSecretSource(), connection.secret, 'OSOP.Http.Transient');
    } catch (err) {
      // What AWS says when the connection cannot give its credentials.
      throw taskError('Events.ConnectionResource.InvalidConnectionState', (err as Error).message);
    }
    for (const k of Object.keys(headers)) if (k.toLowerCase() === connection.header.toLowerCase()) delete headers[k];
    headers[connection.header] = connection.value.split(`\${secrets.${connection.secret}}`).join(credential);
    const form = p.Transform?.RequestBodyEncoding === 'URL_ENCODED';
    const payload: RestTaskPayload = {
      kind: 'rest',
      nodeId: task.node,
      executionId: '',
      attempt: 0,
      request: { method: p.Method, url: p.ApiEndpoint, headers, ...(p.QueryParameters ? { query: p.QueryParameters } : {}), ...(p.RequestBody !== undefined ? { body: p.RequestBody } : {}), contentType: form ? 'application/x-www-form-urlencoded' : 'application/json' },
      allowedOrigin: task.origin,
      timeoutMs: HTTP_TASK_TIMEOUT_MS,
      // The definition sends the key (Headers); nothing is derived here.
      idempotency: { enabled: false },
      outputs: [],
    };
    let label = `${p.Method} ${p.ApiEndpoint}`;
    let response;
    try {
      const { declared, sendTo } = resolveTarget(p.ApiEndpoint, p.QueryParameters ?? {}, task.origin);
      label = `${p.Method} ${describeUrl(declared)}`;
      response = await rest.send(label, sendTo, buildRequest(payload), HTTP_TASK_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof rest.RequestFailure) throw taskError('States.Http.Socket', (err as Error).message);
      // A request the REST handler refuses (another origin, a bad header) fails the Task as a runtime error would.
      throw taskError('States.Runtime', (err as Error).message);
    }
    if (response.status < 200 || response.status >= 300) throw taskError(`States.Http.StatusCode.${response.status}`, statusError(label, response, undefined).message);
    const body = parseJsonBody(response.text);
    return { StatusCode: response.status, StatusText: response.statusText ?? '', Headers: Object.fromEntries(response.headers.entries()), ResponseBody: body ?? response.text };
  };
}
