/**
 * `express-bare`: a bare Express 5 app serving the same bytes with no cache and
 * no Nest, the floor a hit served before Nest's pipeline could reach.
 */
import express from 'express';
import { type AddressInfo } from 'node:net';
import { announce, big, runCounts, slow, small } from './payloads.js';

const app = express();
app.get('/small', (_req, res) => {
  res.json(small());
});
app.get('/big', (_req, res) => {
  res.json(big());
});
app.get('/slow', async (_req, res) => {
  res.json(await slow());
});
app.get('/__runs', (_req, res) => {
  res.json(runCounts());
});

const server = app.listen(0, '127.0.0.1', () => announce((server.address() as AddressInfo).port));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
