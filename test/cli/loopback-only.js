// Preloaded into the CLI under test (NODE_OPTIONS=--require): any connection to
// a host other than the loopback interface throws before it is made, so a run
// that succeeds with it made no call beyond 127.0.0.1.
'use strict';
const net = require('node:net');

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  // net.connect() passes its normalised arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const opts = typeof first === 'object' && first !== null ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : 'localhost' };
  const host = opts.path ? 'localhost' : (opts.host ?? 'localhost');
  if (!LOOPBACK.test(host)) throw new Error(`loopback-only: a connection to ${host} was attempted`);
  return connect.apply(this, args);
};
