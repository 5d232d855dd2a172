import { type ServerResponse } from 'node:http';
import { type HitAnswer } from './hit-answer.js';

/**
 * Writes a whole answer from the cache to Node's response in one `writeHead`
 * and `end`: the entry's status, headers and exact bytes with their length,
 * or a `304` with no body. Express's response is Node's; early hits and the
 * interceptor's plain Express answers both write through here.
 */
export function writeNodeAnswer(res: ServerResponse, answer: HitAnswer): void {
  if ('body' in answer) {
    answer.headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  } else {
    res.writeHead(304, answer.headers);
    res.end();
  }
}

/** The little of a Fastify reply an answer is sent through. */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(headers: Record<string, string>): FastifyReplyLike;
  send(payload?: Buffer): unknown;
}

/** Sends a whole answer from the cache through a Fastify reply (which sets the length itself). */
export function sendFastifyAnswer(reply: FastifyReplyLike, answer: HitAnswer): void {
  reply.code(answer.status).headers(answer.headers);
  reply.send('body' in answer && answer.body.length > 0 ? answer.body : undefined);
}
