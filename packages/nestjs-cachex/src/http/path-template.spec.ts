import { fillPathTemplate, templateParams } from './path-template.js';

describe('path templates', () => {
  it('lists the parameters a template names', () => {
    expect(templateParams('/shops/:shop/products/:id')).toEqual(['shop', 'id']);
    expect(templateParams('/products')).toEqual([]);
  });

  it('fills each parameter as one encoded segment', () => {
    expect(fillPathTemplate('/shops/:shop/products/:id', { shop: 'nord', id: 42 })).toBe(
      '/shops/nord/products/42',
    );
    expect(fillPathTemplate('/products/:id', { id: 'a b/c' })).toBe('/products/a%20b%2Fc');
    expect(fillPathTemplate('/products', {})).toBe('/products');
  });

  it('gives nothing when a parameter is missing or empty', () => {
    expect(fillPathTemplate('/products/:id', {})).toBeUndefined();
    expect(fillPathTemplate('/products/:id', { id: '' })).toBeUndefined();
  });
});
