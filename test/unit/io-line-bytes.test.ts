import { describe, expect, it } from 'vitest';
import { LineBytes } from '../../src/processor/io/line-bytes.ts';

describe('lines kept as bytes', () => {
  it('holds exactly the UTF-8 of the lines, across chunk boundaries and with any text', () => {
    const lines = new LineBytes();
    const texts = ['plain', 'é€😀 ü', '\ud800 lone surrogate', 'x'.repeat(70_000), ''];
    const expected: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const head = `${i}\t`;
      const text = texts[i % texts.length]!;
      lines.push(head, text);
      expected.push(`${head}${text}\n`);
    }

    const body = Buffer.concat(lines.parts());

    expect(body.equals(Buffer.from(expected.join('')))).toBe(true);
    expect(lines.parts().length).toBeGreaterThan(1);
  });

  it('is empty until a line is pushed', () => {
    const lines = new LineBytes();
    expect(lines.parts()).toEqual([]);
  });
});
