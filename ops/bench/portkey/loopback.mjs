// Loaded with `node --import ./loopback.mjs`: makes every server this process starts listen on
// 127.0.0.1 only. Portkey's start-server.js calls @hono/node-server's serve({fetch, port}) with no
// hostname, which listens on every interface; benchmarks here must stay on loopback.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    const port = Number(args[0]);
    const rest = args.slice(1).filter((a) => typeof a === 'function' || typeof a === 'number');
    const backlog = rest.find((a) => typeof a === 'number');
    const cb = rest.find((a) => typeof a === 'function');
    return listen.call(this, { port, host: '127.0.0.1', backlog }, cb);
  }
  if (args[0] && typeof args[0] === 'object' && !('path' in args[0])) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
