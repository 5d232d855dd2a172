import { type HttpRequestLike } from '../http/request.js';
import { type FastifyReplyLike, sendFastifyAnswer } from './answer-writer.js';
import type { EarlyMount, EarlyServe } from './early-hits.js';

/** The Fastify instance, as far as the early hook needs it. */
export interface FastifyInstanceLike {
  addHook(
    name: 'preHandler',
    hook: (request: HttpRequestLike, reply: FastifyReplyLike, done: () => void) => void,
  ): unknown;
}

/**
 * Early hits on Fastify: a `preHandler` hook, which Fastify runs after every
 * `onRequest` hook (Nest's middleware among them, through middie), the body
 * parser and validation, and right before the route's handler — where Nest's
 * pipeline would start. What `serve` gives it is sent through the reply;
 * everything else goes on to the handler.
 */
export class FastifyEarlyHook implements EarlyMount {
  /** Adds the hook to `instance`, before it is ready. */
  static install(instance: FastifyInstanceLike, serve: EarlyServe): FastifyEarlyHook {
    instance.addHook('preHandler', (request, reply, done) =>
      serve(
        request,
        (answer) => sendFastifyAnswer(reply, answer),
        () => done(),
      ),
    );
    return new FastifyEarlyHook();
  }

  /** Middleware runs in `onRequest`, always before the hook. */
  nothingRunsBefore(): boolean {
    return true;
  }
}
