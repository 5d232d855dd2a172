/** Load generation with autocannon (programmatic), and plain HTTP helpers. */
import autocannon from 'autocannon';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/**
 * Runs autocannon against one URL and keeps what the report needs.
 * @param {{ url: string, connections: number, durationSec: number, headers?: Record<string, string> }} options
 */
export async function runLoad({ url, connections, durationSec, headers }) {
  // autocannon stops at the first 1-second sample tick after its duration has
  // passed; a duration a hair short ends on the tick at `durationSec`, not one later.
  const duration = Math.max(0.05, durationSec - 0.05);
  const result = await autocannon({ url, headers, connections, duration, pipelining: 1 });
  return {
    reqPerSec: result.requests.average,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    non2xx: result.non2xx,
    bytesPerSec: result.throughput.average,
    seconds: result.duration,
  };
}

/**
 * One GET, read whole: status, headers and body bytes.
 * @param {string} url
 * @param {{ agent?: Agent, headers?: Record<string, string> }} [options]
 * @returns {Promise<{ status: number, headers: import('node:http').IncomingHttpHeaders, body: Buffer }>}
 */
export function get(url, { agent, headers } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * `count` GETs sent at once: `count` connections are opened first, then every
 * request is written in one go, so all of them reach the server before the
 * first answer can (raw sockets: an HTTP client would stagger them).
 * @returns {Promise<Array<{ status: number, headers: Record<string, string> }>>}
 */
export async function burst(url, count) {
  const { hostname, port, pathname, search } = new URL(url);
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket));
          socket.once('error', reject);
        }),
    ),
  );
  const answers = sockets.map(
    (socket) =>
      new Promise((resolve, reject) => {
        const chunks = [];
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.once('error', reject);
        socket.once('end', () => resolve(parseHead(Buffer.concat(chunks).toString('latin1'))));
      }),
  );
  const request = `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`;
  for (const socket of sockets) socket.write(request);
  return Promise.all(answers);
}

function parseHead(raw) {
  const [statusLine, ...lines] = raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers };
}

/** `count` GETs, `concurrency` at a time, on kept-alive connections. */
export async function sequentialGets(url, count, concurrency = 1) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let left = count;
  const statuses = new Map();
  const worker = async () => {
    while (left-- > 0) {
      const { status } = await get(url, { agent });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return Object.fromEntries(statuses);
}

/** Whether a response says it came from the cache (nestjs-cachex or @nestjs/cache-manager). */
export function servedFromCache(headers) {
  const status = String(headers['cache-status'] ?? '');
  return /;\s*hit/.test(status) || String(headers['x-cache'] ?? '').toUpperCase() === 'HIT';
}
