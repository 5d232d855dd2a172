import { type Socket } from 'node:net';
import memjs, { type Client, type Server } from 'memjs';

/**
 * Creates the memjs client of a `MemcachedBackend` given `servers`: one
 * attempt per request (a retry would outlive `timeoutMs`; memjs's `retries`
 * counts attempts), memjs's per-request `timeout` set from `timeoutMs`, no
 * console logging (failures reach the caller and the backend's rate-limited
 * log), and sockets that never leak (see `closeSocketsFully`). `options` are
 * memjs's own and override the first two.
 */
export function createMemjsClient(
  servers: string[],
  options: Record<string, unknown>,
  timeoutMs: number,
): Client {
  const client = memjs.Client.create(servers.join(','), {
    retries: 1,
    logger: { log: () => undefined },
    ...options,
    timeout: timeoutMs / 1000,
  });
  for (const server of client.servers) closeSocketsFully(server);
  return client;
}

/**
 * Fixes two socket leaks of memjs 1.3 for the clients this backend creates
 * (a given client is left as it is):
 * - memjs gives up on a timed-out socket with `end()`, a half-close that a
 *   paused server never completes: each timeout would leave a socket open, and
 *   the process could not exit. Those sockets are destroyed instead.
 * - memjs's `'close'` handler forgets the server's current socket whichever
 *   socket closed, so one closing late orphans its successor (open for good,
 *   unreachable by `close()`). It now runs only for the current socket.
 * This reads memjs's private `_socket`, right after `sock()` created it.
 */
export function closeSocketsFully(server: Server): void {
  const internal = server as unknown as { _socket?: Socket };
  const hooked = new WeakSet<Socket>();
  const sock = server.sock.bind(server);
  server.sock = (sasl, go) => {
    sock(sasl, go);
    const socket = internal._socket;
    if (!socket || hooked.has(socket)) return;
    hooked.add(socket);
    socket.end = (() => socket.destroy()) as Socket['end'];
    for (const listener of socket.listeners('close') as Array<(...args: unknown[]) => void>) {
      socket.off('close', listener);
      socket.on('close', (...args: unknown[]) => {
        if (internal._socket === socket) listener.apply(socket, args);
      });
    }
  };
}
