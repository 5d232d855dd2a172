import { routeTemplate, UNKNOWN_ROUTE } from './route-template.js';

describe('routeTemplate', () => {
  it("reads Express's matched route under its router's mount path", () => {
    const req = {
      headers: {},
      url: '/api/items/7',
      baseUrl: '/api',
      route: { path: '/items/:id' },
    };
    expect(routeTemplate(req)).toBe('/api/items/:id');
  });

  it("reads Fastify's route URL", () => {
    const req = { headers: {}, url: '/items/7?q=1', routeOptions: { url: '/items/:id' } };
    expect(routeTemplate(req)).toBe('/items/:id');
  });

  it('never falls back to the URL', () => {
    expect(routeTemplate({ headers: {}, url: '/items/7' })).toBe(UNKNOWN_ROUTE);
    expect(routeTemplate({ headers: {}, url: '/x', route: { path: /re/ } } as never)).toBe(
      UNKNOWN_ROUTE,
    );
  });
});
