/** An HTTP server on 127.0.0.1 for a test file: started before its tests, closed after them. */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, set once the server listens (in beforeAll). */
  base: string;
}

export function useLoopbackServer(handler: RequestListener): LoopbackServer {
  const server = createServer(handler);
  const out: LoopbackServer = { base: '' };
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    out.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
  return out;
}
