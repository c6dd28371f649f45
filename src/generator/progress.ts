/**
 * Progress on stderr: a cli-progress bar (count, rate, ETA) when stderr is a terminal, otherwise one
 * line every few seconds, so logs of CI runs stay readable.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(records: number): void;
  stop(): void;
}

const LINE_INTERVAL_MS = 5000;

class BarProgress implements Progress {
  private readonly bar: cliProgress.SingleBar;

  constructor(total: number | undefined) {
    const eta = total === undefined ? '' : ' | ETA {eta_formatted}';
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `generate {bar} {value}${total === undefined ? '' : '/{total}'} records | {rate} records/s${eta}`,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total ?? 0, 0, { rate: 0 });
  }

  private readonly rate = new RateMeter();

  update(records: number): void {
    this.bar.update(records, { rate: Math.round(this.rate.perSecond(records)) });
  }

  stop(): void {
    this.bar.stop();
  }
}

/** Records per second since the first update (world building before it is not sending). */
class RateMeter {
  private startMs = NaN;
  private startRecords = 0;

  perSecond(records: number): number {
    const now = performance.now();
    if (Number.isNaN(this.startMs)) {
      this.startMs = now;
      this.startRecords = records;
    }
    const seconds = (now - this.startMs) / 1000;
    return seconds > 0 ? (records - this.startRecords) / seconds : 0;
  }
}

class LineProgress implements Progress {
  private lastLineMs = performance.now();
  private readonly rate = new RateMeter();

  constructor(private readonly total: number | undefined) {}

  update(records: number): void {
    const rate = this.rate.perSecond(records);
    const now = performance.now();
    if (now - this.lastLineMs < LINE_INTERVAL_MS) return;
    this.lastLineMs = now;
    const of = this.total === undefined ? '' : `/${this.total}`;
    const eta =
      this.total === undefined || rate === 0 ? '' : `, ETA ${Math.ceil((this.total - records) / rate)} s`;
    process.stderr.write(`generate: ${records}${of} records, ${Math.round(rate)} records/s${eta}\n`);
  }

  stop(): void {}
}

class NoProgress implements Progress {
  update(): void {}
  stop(): void {}
}

export function createProgress(total: number | undefined, enabled = true): Progress {
  if (!enabled) return new NoProgress();
  return process.stderr.isTTY ? new BarProgress(total) : new LineProgress(total);
}
