import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, concatMap, from, map, mergeMap, type Observable, of, throwError } from 'rxjs';

import { markTransparentOnHit } from '../cache/transparent-interceptors.js';
import { SessionManager } from './session.manager.js';

/**
 * Saves, once, the sessions a request changed, when its handler is done
 * (before the response is sent, so the client's next request sees the
 * change), also when the handler throws. Registered globally by
 * `SessionModule`; a request without a session passes straight through.
 */
@Injectable()
export class SessionInterceptor implements NestInterceptor {
  constructor(private readonly sessions: SessionManager) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<object>();
    this.sessions.bindResponse(req, http.getResponse<unknown>());
    return next.handle().pipe(
      concatMap((value) => {
        const saving = this.sessions.saveRequest(req);
        return saving === undefined ? of(value) : from(saving).pipe(map(() => value));
      }),
      catchError((error: unknown) => {
        const saving = this.sessions.saveRequest(req);
        return saving === undefined
          ? throwError(() => error)
          : from(saving).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}

// A request answered early carries no credential, so it has no session to save.
markTransparentOnHit(SessionInterceptor);
