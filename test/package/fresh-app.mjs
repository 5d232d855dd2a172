/**
 * A fresh NestJS app, in plain ESM JavaScript, that installed nestjs-cachex
 * from its packed tarball: it caches one route and checks that the second
 * request is a hit that skipped the handler. Run by check.mjs in a temp dir.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cache, CacheXModule } from 'nestjs-cachex';

let runs = 0;

class HelloController {
  hello() {
    runs++;
    return { hello: 'world' };
  }
}
Reflect.decorate(
  [Cache(60), Get('hello')],
  HelloController.prototype,
  'hello',
  Object.getOwnPropertyDescriptor(HelloController.prototype, 'hello'),
);
const Hello = Reflect.decorate([Controller()], HelloController);
const App = Reflect.decorate(
  [Module({ imports: [CacheXModule.forRoot()], controllers: [Hello] })],
  class AppModule {},
);

const app = await NestFactory.create(App, { logger: false });
await app.listen(0, '127.0.0.1');
const url = `${await app.getUrl()}/hello`;
const statuses = [];
for (let i = 0; i < 2; i++) statuses.push((await fetch(url)).headers.get('cache-status'));
await app.close();
if (runs !== 1 || statuses[0] !== 'cachex; fwd=miss; stored' || !/^cachex; hit/.test(statuses[1])) {
  console.error(
    `fresh app: expected a miss then a hit, got ${JSON.stringify(statuses)}, ${runs} runs`,
  );
  process.exit(1);
}
console.log(`fresh app: ${statuses.join(' then ')}`);
