import { describe, expect, it } from 'vitest';
import { formatEventTime } from '../../src/events/index.ts';
import { ClockQueue } from '../../src/generator/clock-queue.ts';
import { isoTime } from '../../src/generator/logical-event.ts';
import { resolveGeneratorOptions } from '../../src/generator/options.ts';
import { Prng } from '../../src/generator/prng.ts';
import { TokenBucket } from '../../src/generator/token-bucket.ts';

describe('isoTime', () => {
  it('formats exactly like formatEventTime, including across minute boundaries', () => {
    const rng = new Prng(3);
    let ms = Date.UTC(2025, 0, 6, 8);
    for (let i = 0; i < 20_000; i++) {
      ms += rng.int(i % 100 === 0 ? 10_000_000 : 5000);
      expect(isoTime(ms)).toBe(formatEventTime(ms));
    }
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('ClockQueue', () => {
  it('pops items by time, and items with equal times in insertion order', () => {
    const rng = new Prng(9);
    const queue = new ClockQueue<number>();
    const pushed: { timeMs: number; id: number }[] = [];
    for (let id = 0; id < 2000; id++) {
      const timeMs = rng.int(50);
      pushed.push({ timeMs, id });
      queue.push(id, timeMs);
    }
    const popped: number[] = [];
    while (queue.size > 0) popped.push(queue.pop()!);
    const expected = [...pushed].sort((a, b) => a.timeMs - b.timeMs || a.id - b.id).map((entry) => entry.id);
    expect(popped).toEqual(expected);
    expect(queue.pop()).toBeUndefined();
  });
});

describe('Prng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const draw = (seed: number): number[] => {
      const rng = new Prng(seed);
      return Array.from({ length: 50 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(43)).not.toEqual(draw(42));
  });
});

describe('resolveGeneratorOptions', () => {
  it('rejects fault fractions that add up to more than 1, naming the API', () => {
    expect(() =>
      resolveGeneratorOptions({ faults: { late: 0.6, duplicate: 0.6, invalid: 0, future: 0 } }),
    ).toThrow(/^generator: fault fractions/);
  });

  it('rejects a user prefix that could not be a plain key', () => {
    expect(() => resolveGeneratorOptions({ userPrefix: 'a"b' })).toThrow(/userPrefix/);
  });
});

describe('TokenBucket', () => {
  it('lets a burst through at once, then holds the long-run rate', async () => {
    let nowMs = 0;
    const bucket = new TokenBucket(1000, 100, () => nowMs);
    await bucket.take(100);
    expect(nowMs).toBe(0);
    // Advance the fake clock as the real timers fire: 500 more tokens at 1000/s need about 0.5 s.
    const started = performance.now();
    const clock = setInterval(() => (nowMs = performance.now() - started), 1);
    for (let i = 0; i < 5; i++) await bucket.take(100);
    clearInterval(clock);
    expect(nowMs).toBeGreaterThanOrEqual(450);
  });
});
