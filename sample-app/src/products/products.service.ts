import { Injectable, NotFoundException } from '@nestjs/common';
import { Cacheable } from 'nestjs-cachex';

/** A product of the catalogue. */
export interface Product {
  id: string;
  name: string;
  priceCents: number;
}

/** An in-memory catalogue standing in for a database, with a slow price lookup. */
@Injectable()
export class ProductsService {
  private readonly products = new Map<string, Product>([
    ['1', { id: '1', name: 'Teapot', priceCents: 2500 }],
    ['2', { id: '2', name: 'Kettle', priceCents: 4200 }],
    ['3', { id: '3', name: 'Mug', priceCents: 900 }],
  ]);
  /** How many times the "database" was asked; the routes show it to prove a hit skipped it. */
  lookups = 0;

  list(): Product[] {
    this.lookups++;
    return [...this.products.values()];
  }

  find(id: string): Product {
    this.lookups++;
    const product = this.products.get(id);
    if (!product) throw new NotFoundException(`no product ${id}`);
    return product;
  }

  rename(id: string, name: string): Product {
    const product = this.find(id);
    product.name = name;
    return product;
  }

  /**
   * A slow exchange-rate call, kept in CacheManager for 2 min under `rate:USD`
   * (and so on); concurrent calls for one currency share one call, across
   * instances too.
   */
  @Cacheable({ key: (currency: string) => `rate:${currency}`, ttl: 120 })
  async rate(currency: string): Promise<{ currency: string; perEuro: number; fetchedAt: string }> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return {
      currency,
      perEuro: currency === 'USD' ? 1.08 : 1,
      fetchedAt: new Date().toISOString(),
    };
  }
}
