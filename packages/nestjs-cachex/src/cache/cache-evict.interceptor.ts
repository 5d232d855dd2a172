import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, type Observable } from 'rxjs';
import { RouteMemo } from '../common/route-memo.js';
import { type HttpRequestLike } from '../http/request.js';
import { CacheEvictMetadata, type CacheEvictOptions } from './cache-evict.options.js';
import { CacheEvictor } from './cache-evictor.service.js';
import { runHandler } from './cache.interceptor.js';

/**
 * Runs a `@CacheEvict()` route handler, then, when it answered 2xx, its
 * evictions, before the response is sent: a client that wrote and then reads
 * gets the new data. `@CacheEvict()` applies it to the route; other methods
 * pass through.
 */
@Injectable()
export class CacheEvictInterceptor implements NestInterceptor {
  /** Each route's `@CacheEvict()` options: its handler's (a method decorator only). */
  private readonly evictions = new RouteMemo((handler) =>
    this.reflector.get(CacheEvictMetadata, handler),
  );

  /** @internal Made by Nest's injector. */
  constructor(
    private readonly reflector: Reflector,
    private readonly evictor: CacheEvictor,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.evictions.of(context);
    if (!options || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    return from(
      this.runAndEvict(options, http.getRequest<HttpRequestLike>(), http.getResponse(), next),
    );
  }

  private async runAndEvict(
    options: CacheEvictOptions,
    req: HttpRequestLike,
    res: { statusCode?: number },
    next: CallHandler,
  ): Promise<unknown> {
    const result = await runHandler(next);
    const status = res.statusCode ?? 200;
    if (status >= 200 && status < 300) await this.evictor.afterRoute(options, req, result);
    return result;
  }
}
