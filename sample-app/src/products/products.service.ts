import { Injectable, NotFoundException } from '@nestjs/common';
import { CacheManager } from 'nestjs-cachex';

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

  constructor(private readonly cache: CacheManager) {}

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

  /** A slow exchange-rate call, cached as application data with CacheManager.getOrSet. */
  rate(currency: string): Promise<{ currency: string; perEuro: number; fetchedAt: string }> {
    return this.cache.getOrSet(
      `rate:${currency}`,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return {
          currency,
          perEuro: currency === 'USD' ? 1.08 : 1,
          fetchedAt: new Date().toISOString(),
        };
      },
      120,
    );
  }
}
