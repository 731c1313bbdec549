import { HandlerError } from '../shared/handler-error';

/** Origin → base URL for local runs: `{"https://api.stripe.com": "http://127.0.0.1:12111"}`. */
export type Routes = Record<string, string>;

let programmaticRoutes: Routes | undefined;

/**
 * Routes set in-process (by the local runner); they replace `OSOP_ROUTES`.
 * `null` goes back to the environment variable.
 */
export function setRoutes(routes: Routes | null): void {
  programmaticRoutes = routes ? normaliseRoutes(routes, 'setRoutes') : undefined;
}

function currentRoutes(): Routes {
  if (programmaticRoutes) return programmaticRoutes;
  const raw = process.env.OSOP_ROUTES;
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new HandlerError('OSOP.Config', 'OSOP_ROUTES is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HandlerError('OSOP.Config', 'OSOP_ROUTES must be a JSON object of origin to base URL');
  }
  return normaliseRoutes(parsed as Routes, 'OSOP_ROUTES');
}

function normaliseRoutes(routes: Routes, where: string): Routes {
  const out: Routes = {};
  for (const [origin, base] of Object.entries(routes)) {
    if (typeof base !== 'string' || !URL.canParse(origin) || !URL.canParse(base)) {
      throw new HandlerError('OSOP.Config', `${where}: route "${origin}" → "${String(base)}" is not a pair of URLs`);
    }
    out[new URL(origin).origin] = base;
  }
  return out;
}

/**
 * A URL with data in it: `{}` markers in `template`, filled with `values`.
 * Before the `?` a value is one path segment (percent-encoded: it can hold no
 * `/`, and `.`/`..` are refused, so it cannot move the request to another
 * path); after it, one query component. Whatever the data, the request stays
 * under the path the workflow wrote before the first value.
 */
export function fillUrl(template: string, values: unknown[] | undefined): string {
  if (values === undefined) return template;
  const pieces = template.split('{}');
  if (pieces.length - 1 !== values.length) throw new HandlerError('OSOP.Config', `request.url has ${pieces.length - 1} value markers but ${values.length} values`);
  let out = pieces[0];
  let inQuery = out.includes('?');
  if (out.includes('#')) throw new HandlerError('OSOP.Config', 'request.url may not put data after a #');
  values.forEach((v, i) => {
    const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (!inQuery && (text === '.' || text === '..')) throw new HandlerError('OSOP.Config', `a value of the URL path is '${text}', which would move the request to another path; refused without sending`);
    out += encodeURIComponent(text) + pieces[i + 1];
    inQuery ||= pieces[i + 1].includes('?');
  });
  // Defence in depth: the filled URL's path still starts with the literal path before the first value.
  const literal = pieces[0].split('?')[0].replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const declaredPath = literal.slice(0, literal.lastIndexOf('/') + 1) || '/';
  if (URL.canParse(out) && !new URL(out).pathname.startsWith(declaredPath)) {
    throw new HandlerError('OSOP.Config', 'the URL with its values leaves the path the workflow declares; refused without sending');
  }
  return out;
}

export interface Target {
  /** The URL the workflow asked for, query included. */
  declared: URL;
  /** Where the request actually goes: `declared`, or its routed equivalent. */
  sendTo: URL;
}

/**
 * Checks the (secret-substituted) URL against the one origin the node may call,
 * BEFORE any routing: a value from upstream data must not send a request that
 * carries a secret anywhere else. Then appends the query and applies routes.
 */
export function resolveTarget(url: string, query: Record<string, string | number | boolean>, allowedOrigin: string): Target {
  if (!URL.canParse(allowedOrigin)) {
    throw new HandlerError('OSOP.Config', `allowedOrigin "${allowedOrigin}" is not a URL`);
  }
  const allowed = new URL(allowedOrigin).origin;
  if (!URL.canParse(url)) {
    throw new HandlerError('OSOP.Config', `request.url is not an absolute URL (allowed origin ${allowed})`);
  }
  const declared = new URL(url);
  if (declared.protocol !== 'https:' && declared.protocol !== 'http:') {
    throw new HandlerError('OSOP.Config', `request.url uses ${declared.protocol} — only http and https are allowed`);
  }
  if (declared.username || declared.password) {
    throw new HandlerError('OSOP.Config', `request.url must not carry credentials (allowed origin ${allowed})`);
  }
  if (declared.origin !== allowed) {
    throw new HandlerError(
      'OSOP.Config',
      `request.url points to ${declared.origin}, outside the allowed origin ${allowed}; refused without sending`,
    );
  }
  for (const [k, v] of Object.entries(query ?? {})) declared.searchParams.append(k, String(v));

  const base = currentRoutes()[allowed];
  if (!base) return { declared, sendTo: declared };
  const sendTo = new URL(base);
  sendTo.pathname = `${sendTo.pathname.replace(/\/$/, '')}${declared.pathname}`;
  sendTo.search = declared.search;
  return { declared, sendTo };
}

/** A URL for messages and logs: no query string (it may hold data or a key). */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
