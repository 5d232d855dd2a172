import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { serializeResult } from './response-body.js';

describe('serializeResult', () => {
  it('serialises like the Express adapter', () => {
    expect(serializeResult({ a: 'é' })).toEqual({
      body: Buffer.from('{"a":"é"}'),
      contentType: 'application/json; charset=utf-8',
    });
    expect(serializeResult([1, 2])!.body.toString()).toBe('[1,2]');
    expect(serializeResult('<b>hi</b>')).toEqual({
      body: Buffer.from('<b>hi</b>'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(serializeResult(42)!.body.toString()).toBe('42');
    expect(serializeResult(false)!.body.toString()).toBe('false');
    expect(serializeResult(undefined)).toEqual({ body: Buffer.alloc(0) });
    expect(serializeResult(null)).toEqual({ body: Buffer.alloc(0) });
  });

  it('keeps bytes as they are, in a copy', () => {
    const bytes = new Uint8Array([0, 255, 7]);
    const serialized = serializeResult(bytes)!;
    expect([...serialized.body]).toEqual([0, 255, 7]);
    bytes[0] = 9;
    expect(serialized.body[0]).toBe(0);
  });

  it('refuses streams, files and web responses', () => {
    expect(serializeResult(Readable.from(['x']))).toBeUndefined();
    expect(serializeResult(new StreamableFile(Buffer.from('x')))).toBeUndefined();
    expect(serializeResult(new Response('x'))).toBeUndefined();
    expect(serializeResult((async function* () {})())).toBeUndefined();
  });
});
