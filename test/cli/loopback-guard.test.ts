/** The guard the CLI tests preload really stops a connection beyond loopback (checked without making one). */
import * as net from 'node:net';
import * as path from 'node:path';

test('connections to loopback go through, any other host throws before connecting', () => {
  const original = net.Socket.prototype.connect;
  const made: unknown[] = [];
  net.Socket.prototype.connect = function record(this: net.Socket, ...args: unknown[]) {
    made.push(args);
    return this;
  } as typeof original;
  try {
    jest.isolateModules(() => require(path.join(__dirname, 'loopback-only.js')));
    expect(() => net.connect({ host: '192.0.2.1', port: 8443 })).toThrow('loopback-only: a connection to 192.0.2.1 was attempted');
    expect(() => new net.Socket().connect(8443, 'api.stripe.com')).toThrow('loopback-only: a connection to api.stripe.com was attempted');
    expect(made).toHaveLength(0);
    net.connect({ host: '127.0.0.1', port: 1 });
    new net.Socket().connect(1, 'localhost');
    expect(made).toHaveLength(2);
  } finally {
    net.Socket.prototype.connect = original;
  }
});
