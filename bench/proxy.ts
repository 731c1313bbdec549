/**
 * A pass-through HTTP proxy on 127.0.0.1 that records the size of every
 * response it relays (the sandbox journals requests, not response bodies).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RelayedResponse {
  method: string;
  path: string;
  status: number;
  /** Bytes of the response body as received (after any content decoding). */
  bodyBytes: number;
  /** Bytes of the status line and headers, as sent on by the proxy. */
  headerBytes: number;
  body: string;
}

export interface MeasuringProxy {
  url: string;
  responses: RelayedResponse[];
  reset(): void;
  close(): Promise<void>;
}

const HOP = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'accept-encoding']);

export async function startMeasuringProxy(upstream: string): Promise<MeasuringProxy> {
  const responses: RelayedResponse[] = [];
  const server: Server = createServer((req, res) => {
    (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP.has(k))) as Record<string, string>;
      const up = await fetch(`${upstream}${req.url}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body });
      const text = await up.text();
      const outHeaders = Object.fromEntries([...up.headers].filter(([k]) => !['content-length', 'transfer-encoding', 'connection', 'content-encoding', 'keep-alive'].includes(k)));
      const headerBytes = Buffer.byteLength(`HTTP/1.1 ${up.status} ${up.statusText}\r\n${Object.entries(outHeaders).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
      responses.push({ method: req.method ?? 'GET', path: (req.url ?? '').split('?')[0], status: up.status, bodyBytes: Buffer.byteLength(text), headerBytes, body: text });
      res.writeHead(up.status, outHeaders);
      res.end(text);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    responses,
    reset() {
      responses.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
