import { Reflector } from '@nestjs/core';
import { type CacheOptions, validateCacheOptions } from './cache.options.js';

/** The metadata `@Cache()` leaves on a route; read with `Reflector`. */
export const CacheMetadata = Reflector.createDecorator<CacheOptions>();

/**
 * Caches a GET route's response (on a class: every route of the controller).
 * A number is the ttl in seconds; an object gives every option. Invalid
 * combinations throw `CacheXConfigError` here, when the class is defined,
 * naming the method and the conflict.
 *
 * @example
 * @Cache(60)
 * @Get('products')
 * list() { ... }
 */
export function Cache(ttlOrOptions: number | CacheOptions = {}): MethodDecorator & ClassDecorator {
  const options = typeof ttlOrOptions === 'number' ? { ttl: ttlOrOptions } : { ...ttlOrOptions };
  const decorate = CacheMetadata(options);
  return ((target: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => {
    const owner = typeof target === 'function' ? target.name : target.constructor.name;
    validateCacheOptions(options, propertyKey ? `${owner}.${String(propertyKey)}()` : owner);
    if (propertyKey === undefined) (decorate as ClassDecorator)(target as never);
    else (decorate as MethodDecorator)(target, propertyKey, descriptor!);
  }) as MethodDecorator & ClassDecorator;
}
