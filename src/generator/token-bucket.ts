/** Rate control on the wall clock: tokens refill at `ratePerS`, up to a burst of `burst`; `take` waits for enough. */
import { setTimeout as sleep } from 'node:timers/promises';

export class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    if (!(ratePerS > 0)) throw new Error(`TokenBucket: ratePerS must be > 0, got ${ratePerS}`);
    if (!(burst >= 1)) throw new Error(`TokenBucket: burst must be ≥ 1, got ${burst}`);
    this.tokens = burst;
    this.lastRefillMs = nowMs();
  }

  /** Resolves once `count` tokens are available (count may exceed the burst: then it waits for the whole). */
  async take(count: number): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= Math.min(count, this.burst)) {
        this.tokens -= count;
        return;
      }
      await sleep(Math.max(1, ((Math.min(count, this.burst) - this.tokens) / this.ratePerS) * 1000));
    }
  }

  private refill(): void {
    const now = this.nowMs();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefillMs) / 1000) * this.ratePerS);
    this.lastRefillMs = now;
  }
}
