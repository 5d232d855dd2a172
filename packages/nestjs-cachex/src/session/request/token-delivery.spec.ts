import { type Logger } from '@nestjs/common';
import { type HttpAdapterHost } from '@nestjs/core';

import { systemClock } from '../../common/clock.js';
import { type HttpRequestLike } from '../../http/request.js';
import { TokenDelivery } from './token-delivery.js';
import { resolveSessionOptions } from '../session-options.js';
import { getRequestSession, trackSession } from './session-request.js';
import { SessionData } from '../session-data.js';

/** A response that records what was written on it, the way the fake adapter writes. */
class FakeReply {
  readonly written: string[] = [];
  sent = false;
}

/** Nest's HTTP adapter as far as delivery uses it, writing on `FakeReply`. */
class FakeAdapter {
  readonly hooks: Array<(request: object, reply: object, done: () => void) => void> = [];
  constructor(readonly type: string) {}
  getType(): string {
    return this.type;
  }
  getInstance() {
    return {
      addHook: (_name: string, hook: FakeAdapter['hooks'][number]) => this.hooks.push(hook),
    };
  }
  setHeader(res: FakeReply, name: string, value: string): void {
    res.written.push(`set ${name}: ${value}`);
  }
  appendHeader(res: FakeReply, name: string, value: string): void {
    res.written.push(`append ${name}: ${value}`);
  }
  isHeadersSent(res: FakeReply): boolean {
    return res.sent;
  }
}

const options = resolveSessionOptions({ secret: 's'.repeat(32), cookie: { name: 'sid' } });

function setup(type = 'fastify') {
  const adapter = new FakeAdapter(type);
  const warnings: string[] = [];
  const logger = { warn: (message: string) => warnings.push(message) } as unknown as Logger;
  const delivery = new TokenDelivery(
    options,
    { httpAdapter: adapter } as unknown as HttpAdapterHost,
    logger,
    systemClock,
  );
  return { adapter, delivery, warnings };
}

/** A Fastify request: its own object around Node's request (`raw`), which middleware sees. */
function fastifyRequest(headers: HttpRequestLike['headers'] = {}) {
  const raw = { headers };
  return { raw, request: { raw, headers } as HttpRequestLike & { raw: object } };
}

describe('TokenDelivery', () => {
  it("writes on the request's recorded response through the adapter", () => {
    const { delivery } = setup();
    const { request } = fastifyRequest({ 'x-session-token': 'old' });
    const reply = new FakeReply();
    delivery.bind(request, reply);
    delivery.send(request, 'new-token', Date.now() + 60_000);
    delivery.clearCookie(request);
    expect(reply.written).toEqual([
      'set x-session-token: new-token',
      expect.stringMatching(/^append Set-Cookie: sid=; Path=\/; Max-Age=0; /),
    ]);
  });

  it('keeps what is written before the response is known, and writes it, in order, once it is', () => {
    const { delivery, warnings } = setup();
    const { raw, request } = fastifyRequest();
    // Fastify middleware has Node's request only.
    delivery.send(raw as HttpRequestLike, 'from-middleware', Date.now() + 60_000);
    delivery.clearCookie(raw as HttpRequestLike);
    const reply = new FakeReply();
    delivery.bind(request, reply);
    expect(reply.written).toEqual([
      expect.stringMatching(/^append Set-Cookie: sid=from-middleware; /),
      expect.stringMatching(/^append Set-Cookie: sid=; /),
    ]);
    // Written once: a second binding (guard, interceptor) changes nothing.
    delivery.bind(request, new FakeReply());
    delivery.bind(request, reply);
    expect(reply.written).toHaveLength(2);
    expect(warnings).toEqual([]);
  });

  it('records each Fastify reply as its request arrives, and nothing on Express', () => {
    const fastify = setup('fastify');
    fastify.delivery.bindRepliesOnRequest();
    expect(fastify.adapter.hooks).toHaveLength(1);
    const { request } = fastifyRequest();
    const reply = new FakeReply();
    let done = false;
    fastify.adapter.hooks[0]!(request, reply, () => (done = true));
    expect(done).toBe(true);
    fastify.delivery.send(request, 'token', Date.now() + 60_000, 'header');
    expect(reply.written).toEqual(['set x-session-token: token']);

    const express = setup('express');
    express.delivery.bindRepliesOnRequest();
    expect(express.adapter.hooks).toHaveLength(0);
  });

  it("uses Express's req.res when no response was recorded", () => {
    const { delivery } = setup('express');
    const res = new FakeReply();
    delivery.send({ headers: {}, res } as HttpRequestLike, 'token', Date.now() + 60_000, 'header');
    expect(res.written).toEqual(['set x-session-token: token']);
  });

  it('writes nothing on a response already sent, and says so (Fastify would drop it silently)', () => {
    const { delivery, warnings } = setup();
    const { request } = fastifyRequest();
    const reply = new FakeReply();
    delivery.bind(request, reply);
    reply.sent = true;
    delivery.send(request, 'late', Date.now() + 60_000);
    expect(reply.written).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/already sent: the Set-Cookie header was not/),
    ]);
  });
});

describe('request state on Fastify', () => {
  it("is one state for Fastify's request and Node's request inside it", () => {
    const { raw, request } = fastifyRequest();
    const now = Date.now();
    const session = SessionData.fromRecord({
      v: 1,
      id: 'id-1',
      data: {},
      flash: [],
      createdAt: now,
      lastAccessedAt: now,
      expiresAt: now + 1000,
    });
    trackSession(raw, session, true);
    expect(getRequestSession(request)).toBe(session);
  });
});
