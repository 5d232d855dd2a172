import { type Logger } from '@nestjs/common';
import { type HttpAdapterHost } from '@nestjs/core';

import { type HttpRequestLike } from '../http/request.js';
import { type ResolvedSessionOptions } from './session-options.js';
import { peekSessionState } from './session-request.js';
import {
  nodeHeaderWriter,
  readToken,
  type ResponseHeaderWriter,
  serializeCookie,
  type TokenSource,
} from './session-transport.js';

type DeliveryOptions = Pick<ResolvedSessionOptions, 'headerName' | 'bearer' | 'cookie'>;

/**
 * Puts session tokens on the response of a request; internal. The response
 * is the one the guard or interceptor recorded (else Express's `req.res`),
 * written through Nest's HTTP adapter so Express and Fastify both work. A
 * token that cannot be delivered is logged, never thrown: the caller still
 * has it.
 */
export class TokenDelivery {
  constructor(
    private readonly options: DeliveryOptions,
    private readonly adapterHost: HttpAdapterHost | undefined,
    private readonly logger: Logger,
  ) {}

  /**
   * Sends a token the way `source` says, else the way the request's own token
   * came, else the configured transport (cookie when on, else the token header).
   */
  send(req: HttpRequestLike, token: string, expiresAt: number, source?: TokenSource): void {
    const way =
      source ?? readToken(req, this.options)?.source ?? (this.options.cookie ? 'cookie' : 'header');
    if (way === 'cookie' && this.options.cookie) {
      const maxAge = this.options.cookie.maxAge ?? Math.ceil((expiresAt - Date.now()) / 1000);
      this.writeHeader(
        req,
        'Set-Cookie',
        serializeCookie(token, this.options.cookie, maxAge),
        true,
      );
    } else {
      this.writeHeader(req, this.options.headerName, token, false);
    }
  }

  /** Clears the session cookie (a no-op without cookie transport). */
  clearCookie(req: HttpRequestLike): void {
    if (!this.options.cookie) return;
    this.writeHeader(req, 'Set-Cookie', serializeCookie('', this.options.cookie, 0), true);
  }

  private writeHeader(req: HttpRequestLike, name: string, value: string, append: boolean): void {
    // The response recorded by the guard or interceptor; Express also links it as `req.res`.
    const res = peekSessionState(req)?.response ?? (req as { res?: unknown }).res;
    if (res === undefined) {
      this.logger.warn(
        `No response to send the ${name} header on; return the token to the client yourself`,
      );
      return;
    }
    try {
      const writer = this.headerWriter();
      if (append) writer.appendHeader(res, name, value);
      else writer.setHeader(res, name, value);
    } catch (error) {
      this.logger.warn(`Could not set the ${name} header: ${(error as Error).message}`);
    }
  }

  /** Read at each write: the adapter may be attached after this object was made. */
  private headerWriter(): ResponseHeaderWriter {
    const adapter = this.adapterHost?.httpAdapter as
      | {
          setHeader?(res: unknown, name: string, value: string): unknown;
          appendHeader?(res: unknown, name: string, value: string): unknown;
        }
      | undefined;
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
