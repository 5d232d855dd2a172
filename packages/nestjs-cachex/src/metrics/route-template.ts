import { type HttpRequestLike } from '../http/request.js';

/** What a matched request carries of its route, on Express and on Fastify. */
interface RoutedRequest extends HttpRequestLike {
  /** Express: the matched route (its path as declared) and the mount path of its router. */
  route?: { path?: unknown };
  baseUrl?: string;
  /** Fastify 4 and 5: the matched route's URL as declared. */
  routeOptions?: { url?: string };
}

/** Where requests whose route the platform does not name are counted. */
export const UNKNOWN_ROUTE = '(unknown)';

/**
 * The path template of the route a request matched (`/products/:id`), as
 * its platform's router knows it: never the URL, so metric labels stay as
 * few as the app's routes.
 */
export function routeTemplate(req: HttpRequestLike): string {
  const routed = req as RoutedRequest;
  const fastify = routed.routeOptions?.url;
  if (typeof fastify === 'string') return fastify;
  const path = routed.route?.path;
  if (typeof path === 'string') return `${routed.baseUrl ?? ''}${path}`;
  return UNKNOWN_ROUTE;
}
