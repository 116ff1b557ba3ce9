import { describe, it, expect } from '@jest/globals';
import { schemaInstance } from '../src/index.js';
import { imageSize } from '../src/responses/media.js';

describe('schemaInstance (the deterministic JSON a Responses backend answers)', () => {
  it('fills every property, seeding strings with the prompt and honouring bounds, enums, const and formats', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        short: { type: 'string', maxLength: 3 },
        padded: { type: 'string', minLength: 8 },
        kind: { type: 'string', enum: ['x', 'y'] },
        fixed: { const: 42 },
        email: { type: 'string', format: 'email' },
        count: { type: 'integer', minimum: 10, maximum: 20 },
        ratio: { type: 'number', exclusiveMaximum: 0.5 },
        step: { type: 'integer', minimum: 7, multipleOf: 5 },
        flag: { type: 'boolean' },
        nothing: { type: 'null' },
        list: { type: 'array', items: { type: 'integer' }, minItems: 2 },
        none: { type: 'array', items: { type: 'string' }, maxItems: 0 },
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'boolean' }] },
      },
    };
    expect(schemaInstance(schema, 'hello')).toEqual({
      name: 'hello',
      short: 'hel',
      padded: 'hello hello',
      kind: 'x',
      fixed: 42,
      email: 'user@example.com',
      count: 10,
      ratio: 0,
      step: 10,
      flag: true,
      nothing: null,
      list: [1, 1],
      none: [],
      pair: ['hello', true],
    });
  });

  it('resolves $ref/$defs, takes the non-null branch of anyOf, merges allOf and stops on recursion', () => {
    const schema = {
      $defs: { Node: { type: 'object', properties: { label: { type: 'string' }, child: { anyOf: [{ $ref: '#/$defs/Node' }, { type: 'null' }] } } } },
      type: 'object',
      properties: {
        tree: { $ref: '#/$defs/Node' },
        maybe: { anyOf: [{ type: 'null' }, { type: 'integer' }] },
        nullable: { type: ['null', 'string'] },
        both: { allOf: [{ type: 'object', properties: { a: { type: 'integer' } } }, { properties: { b: { type: 'boolean' } } }] },
      },
    };
    const value = schemaInstance(schema, 's') as Record<string, unknown>;
    expect(value.maybe).toBe(1);
    expect(value.nullable).toBe('s');
    expect(value.both).toEqual({ a: 1, b: true });
    let node = value.tree as { label: string; child: unknown } | null;
    let depth = 0;
    while (node) {
      expect(node.label).toBe('s');
      node = node.child as typeof node;
      depth += 1;
    }
    expect(depth).toBeGreaterThan(2);
  });

  it('gives the prompt for an empty schema, and "alpha" for an empty prompt', () => {
    expect(schemaInstance({}, 'text')).toBe('text');
    expect(schemaInstance({ type: 'string' }, '')).toBe('alpha');
  });
});

describe('imageSize (what the backends say they saw)', () => {
  it('reads PNG, GIF, JPEG and WebP headers, and nothing else', () => {
    const png = Buffer.alloc(24);
    png.writeUInt32BE(0x89504e47, 0);
    png.write('IHDR', 12, 'latin1');
    png.writeUInt32BE(640, 16);
    png.writeUInt32BE(480, 20);
    expect(imageSize(png)).toEqual({ type: 'image/png', width: 640, height: 480 });
    const gif = Buffer.from('GIF89a\x20\x00\x10\x00', 'latin1');
    expect(imageSize(gif)).toEqual({ type: 'image/gif', width: 32, height: 16 });
    // SOI, an APP0 segment of 4 bytes, then SOF0 with height 100 and width 200.
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x64, 0x00, 0xc8, 0x03]);
    expect(imageSize(jpeg)).toEqual({ type: 'image/jpeg', width: 200, height: 100 });
    const webp = Buffer.alloc(30);
    webp.write('RIFF', 0, 'latin1');
    webp.write('WEBPVP8X', 8, 'latin1');
    webp.writeUIntLE(99, 24, 3);
    webp.writeUIntLE(49, 27, 3);
    expect(imageSize(webp)).toEqual({ type: 'image/webp', width: 100, height: 50 });
    expect(imageSize(Buffer.from('hello'))).toBeNull();
  });
});
