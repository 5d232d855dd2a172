import { StreamableFile } from '@nestjs/common';
import { type HttpServer } from '@nestjs/common/interfaces/http/http-server.interface.js';
import { type ServerResponse } from 'node:http';
import {
  type CacheOutcome,
  type CacheStatus,
  cacheOutcome,
  formatCacheStatus,
} from '../http/cache-status.js';
import { type HttpRequestLike, headerValue } from '../http/request.js';
import {
  type BodyRules,
  EXPRESS_BODY_RULES,
  type SerializedBody,
  serializeResult,
} from '../http/response-body.js';
import { writeNodeAnswer } from './answer-writer.js';
import { type HitAnswer } from './hit-answer.js';

const EMPTY = Buffer.alloc(0);

/** The response object of the platform, as far as the cache reads it. */
interface ResponseLike {
  statusCode?: number;
  getHeaders?: () => Record<string, number | string | string[] | undefined>;
  getHeader?: (name: string) => unknown;
  /** Fastify keeps Node's response here. */
  raw?: { once(event: 'close', listener: () => void): unknown };
  once?(event: 'close', listener: () => void): unknown;
  /** Fastify's serialiser of a payload for the route (its response schema, if any). */
  serialize?(payload: unknown): string;
}

/**
 * One request and its response, reached through Nest's `HttpServer` adapter
 * (Express or Fastify), so the cache itself stays platform-free.
 */
export class HttpExchange {
  private readonly fastify: boolean;
  /** What the request came to, by the last `Cache-Status` given it; `undefined` before any. */
  outcome?: CacheOutcome;
  /** The detail of a bypass's `Cache-Status` (`cookie`, `no-store`, ...). */
  bypassReason?: string;
  /** The body length of the last answer `send()` gave, for `CacheXMetrics`. */
  sentBytes = 0;

  constructor(
    private readonly adapter: HttpServer,
    readonly req: HttpRequestLike,
    private readonly res: ResponseLike,
  ) {
    this.fastify = adapter.getType() === 'fastify';
  }

  /**
   * A handler's result as the bytes its platform would send uncached: on
   * Fastify through the reply's own serialiser, so a route's response schema
   * strips what it strips, and with Fastify's content types.
   */
  serialize(value: unknown): SerializedBody | undefined {
    return serializeResult(value, this.fastify ? this.fastifyRules() : EXPRESS_BODY_RULES);
  }

  private fastifyRules(): BodyRules {
    const reply = this.res;
    return {
      textType: 'text/plain; charset=utf-8',
      scalarsAsJson: true,
      json: (value) => (reply.serialize ? reply.serialize(value) : JSON.stringify(value)),
    };
  }

  header(name: string): string | undefined {
    return headerValue(this.req, name);
  }

  /**
   * Whether the handler answered by itself (`@Res()`), so nothing is left for
   * the cache to send: the platform's own notion (Express `headersSent`,
   * Fastify `reply.sent`).
   */
  get answered(): boolean {
    return this.adapter.isHeadersSent(this.res);
  }

  get statusCode(): number {
    return this.res.statusCode ?? 200;
  }

  /** Headers set on the response so far, names as the platform keeps them (lower case). */
  responseHeaders(): Record<string, number | string | string[] | undefined> {
    return this.res.getHeaders?.() ?? {};
  }

  responseHeader(name: string): string | undefined {
    const value = this.res.getHeader?.(name);
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? value.join(', ') : String(value);
  }

  setHeader(name: string, value: string): void {
    this.adapter.setHeader(this.res, name, value);
  }

  /** Sets `Cache-Status` and notes the outcome it reports. */
  setCacheStatus(status: CacheStatus): void {
    this.setHeader('Cache-Status', formatCacheStatus(status));
    this.noteCacheStatus(status, false);
  }

  /**
   * Notes the outcome of a `Cache-Status` an answer from the cache carries
   * (`notModified` when it is a 304); the last one noted is the request's.
   */
  noteCacheStatus(status: CacheStatus, notModified: boolean): void {
    this.outcome = cacheOutcome(status, notModified);
    this.bypassReason = status.kind === 'bypass' ? status.detail : undefined;
  }

  setHeaders(headers: Record<string, string>): void {
    for (const name in headers) this.adapter.setHeader(this.res, name, headers[name]!);
  }

  setStatus(status: number): void {
    this.adapter.status(this.res, status);
  }

  /**
   * Sends a whole answer from the cache — a `304`, or a status, headers and
   * exactly the entry's bytes — and returns what to hand back to Nest. On
   * Fastify the bytes themselves: a Buffer payload is sent as it is, with
   * its length. On Express, a plain answer (no validators for Express to
   * compare, a status with a body) is written here at once (see
   * `writeNodeAnswer`), and Nest's own reply that follows has nothing left
   * to do; otherwise the bytes go as a `StreamableFile`, which Nest sends as
   * they are (no JSON serialisation, no re-hashing). An empty body is left to
   * the platform.
   */
  send(answer: HitAnswer): Buffer | StreamableFile | undefined {
    const body = 'body' in answer ? answer.body : EMPTY;
    this.sentBytes = body.length;
    if (!this.fastify && body.length > 0 && this.canEndHere(answer.status)) {
      writeNodeAnswer(this.res as unknown as ServerResponse, answer);
      return undefined;
    }
    this.setStatus(answer.status);
    this.setHeaders(answer.headers);
    if (body.length === 0) return undefined;
    if (this.fastify) return body;
    return new StreamableFile(body, { type: answer.headers['content-type'], length: body.length });
  }

  /**
   * Whether ending the response here is safe: Express's `res.send()`, which
   * Nest calls next, then only ends an ended response again — unless it finds
   * the request "fresh" (conditional headers) or a status without a body.
   */
  private canEndHere(status: number): boolean {
    return (
      this.req.headers['if-none-match'] === undefined &&
      this.req.headers['if-modified-since'] === undefined &&
      status !== 204 &&
      status !== 205 &&
      status !== 304
    );
  }

  /** Runs `listener` once the response is over (sent or abandoned). */
  afterResponse(listener: () => void): void {
    const target = this.res.raw ?? this.res;
    if (target.once) target.once('close', listener);
    else setImmediate(listener);
  }
}
