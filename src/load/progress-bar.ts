/**
 * Progress on stderr while filling backlogs and running: a cli-progress bar on a terminal, one line
 * every 5 s otherwise (CI logs). `total` 0 means unknown (the bar then shows only the count).
 */
import cliProgress from 'cli-progress';

export interface ProgressBar {
  update(value: number, detail?: string): void;
  stop(): void;
}

const LINE_INTERVAL_MS = 5000;

export function progressBar(label: string, total: number, unit = 'records'): ProgressBar {
  const startMs = performance.now();
  const rate = (value: number): number => {
    const seconds = (performance.now() - startMs) / 1000;
    return seconds > 0 ? Math.round(value / seconds) : 0;
  };
  if (process.stderr.isTTY) {
    const of = total > 0 ? '/{total}' : '';
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label.padEnd(28)} {bar} {value}${of} ${unit} | {rate}/s | {detail}`,
        fps: 4,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0, detail: '' });
    return {
      update: (value, detail = '') => bar.update(value, { rate: rate(value), detail }),
      stop: () => bar.stop(),
    };
  }
  let lastLineMs = performance.now();
  return {
    update: (value, detail = '') => {
      if (performance.now() - lastLineMs < LINE_INTERVAL_MS) return;
      lastLineMs = performance.now();
      const of = total > 0 ? `/${total}` : '';
      process.stderr.write(`${label}: ${value}${of} ${unit}, ${rate(value)}/s ${detail}\n`);
    },
    stop: () => undefined,
  };
}
