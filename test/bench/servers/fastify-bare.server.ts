/**
 * `fastify-bare`: a bare Fastify 5 app serving the same bytes with no cache and
 * no Nest (its default JSON serializer, no response schema), the floor of a
 * hit on Fastify, as `express-bare` is on Express.
 */
import Fastify from 'fastify';
import { type AddressInfo } from 'node:net';
import { announce, big, runCounts, slow, small } from './payloads.js';

const app = Fastify();
app.get('/small', async () => small());
app.get('/big', async () => big());
app.get('/slow', () => slow());
app.get('/__runs', async () => runCounts());

await app.listen({ port: 0, host: '127.0.0.1' });
announce((app.server.address() as AddressInfo).port);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
