import { type Logger } from '@nestjs/common';
import { type HttpAdapterHost } from '@nestjs/core';

import { type Clock } from '../../common/clock.js';
import { type HttpRequestLike } from '../../http/request.js';
import { type ResolvedSessionOptions } from '../session-options.js';
import { type PendingHeader, sessionState } from './session-request.js';
import {
  nodeHeaderWriter,
  readToken,
  type ResponseHeaderWriter,
  serializeCookie,
  type TokenSource,
} from '../rules/session-transport.js';

type DeliveryOptions = Pick<ResolvedSessionOptions, 'headerName' | 'bearer' | 'cookie'>;

/** The little of Nest's HTTP adapter that delivery uses (Nest 11 and 12, Express and Fastify). */
interface AdapterLike {
  getType?(): string;
  getInstance?(): unknown;
  setHeader?(res: unknown, name: string, value: string): unknown;
  appendHeader?(res: unknown, name: string, value: string): unknown;
  isHeadersSent?(res: unknown): boolean;
}

/** The Fastify instance, as far as binding replies needs it. */
interface FastifyHooks {
  addHook(
    name: 'onRequest',
    hook: (request: object, reply: object, done: () => void) => void,
  ): unknown;
}

/**
 * Puts session tokens on the response of a request; internal. The response
 * is the one recorded for the request (by `bind`: Fastify's `onRequest` hook,
 * the guard, the interceptor), else Express's `req.res`; written through
 * Nest's HTTP adapter (Fastify: the reply's own API, never `reply.raw`), so
 * Express and Fastify send the same headers. A header written before the
 * response is known (Fastify middleware sees only Node's request) waits on
 * the request and is written when it is. A token that cannot be delivered is
 * logged, never thrown: the caller still has it.
 */
export class TokenDelivery {
  constructor(
    private readonly options: DeliveryOptions,
    private readonly adapterHost: HttpAdapterHost | undefined,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /**
   * Whether every request's response is found without `bind`: Express links
   * it as `req.res`; on Fastify, the `onRequest` hook records each reply.
   */
  private responsesKnown = false;

  /**
   * Records the response of a request, unless it is known already (see
   * `responsesKnown`): the guard and the interceptor call it on every
   * request, which then touches nothing.
   */
  bind(req: object, res: unknown): void {
    if (!this.responsesKnown) this.record(req, res);
  }

  /**
   * Records the response of a request (the first one recorded stands) and
   * writes the headers that were waiting for it.
   */
  private record(req: object, res: unknown): void {
    if (res === undefined || res === null) return;
    const state = sessionState(req);
    state.response ??= res;
    const pending = state.pendingHeaders;
    if (pending === undefined) return;
    state.pendingHeaders = undefined;
    for (const header of pending) this.write(state.response, header);
  }

  /**
   * On Fastify, records each request's reply as the request arrives, before
   * any guard, so tokens reach the reply from wherever `SessionManager` is
   * called with the request (a guard of the app's own, a filter). Express
   * needs nothing: its request links its response (`req.res`).
   */
  bindRepliesOnRequest(): void {
    const adapter = this.adapter();
    const platform = adapter?.getType?.();
    if (platform === 'express') this.responsesKnown = true;
    if (platform !== 'fastify' || typeof adapter?.getInstance !== 'function') return;
    try {
      (adapter.getInstance() as FastifyHooks).addHook('onRequest', (request, reply, done) => {
        this.record(request, reply);
        done();
      });
      this.responsesKnown = true;
    } catch (error) {
      // Already listening: the guard and the interceptor still record the reply.
      this.logger.warn(
        `Could not add the Fastify onRequest hook that records replies: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Sends a token the way `source` says, else the way the request's own token
   * came, else the configured transport (cookie when on, else the token header).
   */
  send(req: HttpRequestLike, token: string, expiresAt: number, source?: TokenSource): void {
    const way =
      source ?? readToken(req, this.options)?.source ?? (this.options.cookie ? 'cookie' : 'header');
    if (way === 'cookie' && this.options.cookie) {
      const maxAge = this.options.cookie.maxAge ?? Math.ceil((expiresAt - this.clock.now()) / 1000);
      this.writeHeader(req, {
        name: 'Set-Cookie',
        value: serializeCookie(token, this.options.cookie, maxAge),
        append: true,
      });
    } else {
      this.writeHeader(req, { name: this.options.headerName, value: token, append: false });
    }
  }

  /** Clears the session cookie (a no-op without cookie transport). */
  clearCookie(req: HttpRequestLike): void {
    if (!this.options.cookie) return;
    this.writeHeader(req, {
      name: 'Set-Cookie',
      value: serializeCookie('', this.options.cookie, 0),
      append: true,
    });
  }

  private writeHeader(req: HttpRequestLike, header: PendingHeader): void {
    const state = sessionState(req);
    // Express links the response as `req.res` from the start.
    const res = state.response ?? (req as { res?: unknown }).res;
    if (res === undefined || res === null) {
      (state.pendingHeaders ??= []).push(header);
      return;
    }
    this.write(res, header);
  }

  private write(res: unknown, { name, value, append }: PendingHeader): void {
    try {
      // Fastify would keep a header set on a sent reply without a word; Express would throw.
      if (this.adapter()?.isHeadersSent?.(res) === true) {
        this.logger.warn(
          `The response was already sent: the ${name} header was not; return the token to the client yourself`,
        );
        return;
      }
      const writer = this.headerWriter();
      if (append) writer.appendHeader(res, name, value);
      else writer.setHeader(res, name, value);
    } catch (error) {
      this.logger.warn(`Could not set the ${name} header: ${(error as Error).message}`);
    }
  }

  /** Read at each use: the adapter may be attached after this object was made. */
  private adapter(): AdapterLike | undefined {
    return this.adapterHost?.httpAdapter as AdapterLike | undefined;
  }

  private headerWriter(): ResponseHeaderWriter {
    const adapter = this.adapter();
    if (typeof adapter?.setHeader !== 'function') return nodeHeaderWriter;
    return {
      setHeader: (res, name, value) => void adapter.setHeader!(res, name, value),
      appendHeader: (res, name, value) =>
        typeof adapter.appendHeader === 'function'
          ? void adapter.appendHeader(res, name, value)
          : nodeHeaderWriter.appendHeader(res, name, value),
    };
  }
}
