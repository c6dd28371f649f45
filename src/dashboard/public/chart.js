/**
 * One uPlot chart per panel: per line a solid series (final points) and a dashed, lighter one
 * (provisional points), the x scale pinned to the chosen range, and vertical markers for the
 * completeness watermark and the batch/speed boundary when they fall inside it. The chart's element
 * carries what it draws as `data-points` (series.js chartData: `xs` in seconds, per line `final` and
 * `provisional` values, null where none).
 */
import uPlot from 'uplot';

/** Okabe–Ito: told apart with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9'];
const HEIGHT_PX = 200;

/** @typedef {{ ms: number, label: string, color: string, dash: number[] }} Marker */

/** @param {() => Marker[]} markers @returns {uPlot.Plugin} */
function markersPlugin(markers) {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx } = u;
          const { top, height } = u.bbox;
          const ratio = devicePixelRatio;
          for (const marker of markers()) {
            const x = marker.ms / 1000;
            if (x < (u.scales.x?.min ?? Infinity) || x > (u.scales.x?.max ?? -Infinity)) continue;
            const px = u.valToPos(x, 'x', true);
            ctx.save();
            ctx.strokeStyle = marker.color;
            ctx.fillStyle = marker.color;
            ctx.lineWidth = 1.5 * ratio;
            ctx.setLineDash(marker.dash.map((length) => length * ratio));
            ctx.beginPath();
            ctx.moveTo(px, top);
            ctx.lineTo(px, top + height);
            ctx.stroke();
            ctx.font = `${11 * ratio}px system-ui, sans-serif`;
            ctx.textAlign = px > u.bbox.left + u.bbox.width / 2 ? 'right' : 'left';
            ctx.fillText(marker.label, px + (ctx.textAlign === 'right' ? -4 : 4) * ratio, top + 12 * ratio);
            ctx.restore();
          }
        },
      ],
    },
  };
}

/**
 * @param {HTMLElement} container
 * @param {readonly string[]} labels one per line
 */
export function createChart(container, labels) {
  /** @type {Marker[]} */
  let markers = [];
  /** @type {uPlot.Series[]} */
  const series = [{ label: 'window (UTC)' }];
  labels.forEach((label, i) => {
    const color = PALETTE[i % PALETTE.length] ?? '#0072B2';
    // spanGaps: a 5-minute line on the axis of a 1-minute one has a point every fifth minute only.
    series.push({ label, stroke: color, width: 2, spanGaps: true, points: { show: true, size: 5 } });
    series.push({
      label: `${label} (provisional)`,
      stroke: `${color}99`,
      width: 2,
      dash: [6, 4],
      spanGaps: true,
      points: { show: true, size: 5, fill: '#fff' },
    });
  });
  const plot = new uPlot(
    {
      width: Math.max(container.clientWidth, 200),
      height: HEIGHT_PX,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      scales: { x: { time: true } },
      // Times in UTC, 24-hour, as everywhere on the page.
      axes: [
        {
          values: (_u, splits) =>
            splits.map((seconds) => new Date(seconds * 1000).toISOString().slice(11, 16)),
        },
        {},
      ],
      series,
      legend: { live: false },
      plugins: [markersPlugin(() => markers)],
    },
    [[], ...series.slice(1).map(() => [])],
    container,
  );
  new ResizeObserver(() =>
    plot.setSize({ width: Math.max(container.clientWidth, 200), height: HEIGHT_PX }),
  ).observe(container);
  return {
    /**
     * @param {{ xs: number[], series: { final: (number | null)[], provisional: (number | null)[] }[] }} data
     * @param {{ fromMs: number, toMs: number }} range
     * @param {Marker[]} marks
     */
    update(data, range, marks) {
      markers = marks;
      // The points drawn, as data (per line: final and provisional values by window), for tests and scripts.
      container.dataset.points = JSON.stringify(data);
      plot.setData([data.xs, ...data.series.flatMap((line) => [line.final, line.provisional])], true);
      plot.setScale('x', { min: range.fromMs / 1000, max: range.toMs / 1000 });
    },
  };
}
