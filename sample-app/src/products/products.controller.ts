import { Body, Controller, Get, Header, Param, Patch, Query } from '@nestjs/common';
import { Cache, CacheEvict } from 'nestjs-cachex';
import { ProductsService } from './products.service.js';

/** One route per caching behaviour; each answer says how often the "database" was asked. */
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  /** Cached 30 s (the module's defaultTtl), tagged for invalidation. */
  @Cache({ tags: ['products'] })
  @Get()
  list() {
    return { products: this.products.list(), lookups: this.products.lookups };
  }

  /** Public, shared by CDNs for 5 min; stale served for 60 s while one refresh runs. */
  @Cache({
    ttl: 60,
    public: true,
    sMaxAge: 300,
    staleWhileRevalidate: 60,
    staleIfError: 600,
    tags: ['products', (req) => `product:${(req as { params?: { id?: string } }).params?.id}`],
  })
  @Get(':id')
  one(@Param('id') id: string) {
    return { product: this.products.find(id), lookups: this.products.lookups };
  }

  /**
   * Renaming a product, once it succeeds, clears its page (the template is
   * filled from the route's `id`) and every entry tagged `products`: the
   * list and the product pages. A rename that fails (404) clears nothing.
   */
  @CacheEvict({ paths: ['/products/:id'], tags: ['products'] })
  @Patch(':id')
  rename(@Param('id') id: string, @Body('name') name: string) {
    return this.products.rename(id, name);
  }

  /** Never changes: immutable, with a long max-age. */
  @Cache({ ttl: 86_400, public: true, immutable: true })
  @Get('static/terms')
  terms() {
    return { terms: 'Be kind to teapots.', lookups: this.products.lookups };
  }

  /** Always revalidated: the handler runs, but If-None-Match still earns a 304. */
  @Cache({ noCache: true, mustRevalidate: true })
  @Get('live/stock')
  stock() {
    return { inStock: 3, lookups: this.products.lookups };
  }

  /** Never stored anywhere. */
  @Cache({ noStore: true })
  @Get('live/cart')
  cart() {
    return { items: [], at: new Date().toISOString() };
  }

  /** Per user: keyed by the Authorization header (or session), never shared. */
  @Cache({ ttl: 60, private: true })
  @Get('me/recommendations')
  recommendations() {
    return { recommended: ['3'], lookups: this.products.lookups };
  }

  /** One entry per language. */
  @Cache({ ttl: 60, vary: ['Accept-Language'], proxyRevalidate: true, noTransform: true })
  @Get('i18n/greeting')
  greeting(@Query('name') name = 'friend') {
    return { text: `Hello, ${name}`, lookups: this.products.lookups };
  }

  /** Exchange rates, cached as data by the service's `@Cacheable` method rather than as a response. */
  @Get('rates/:currency')
  @Header('Cache-Control', 'no-store')
  rate(@Param('currency') currency: string) {
    return this.products.rate(currency);
  }
}
