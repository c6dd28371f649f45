/**
 * `query <view> --source all`: the rows `serve` answers (src/serving/merged-rows.ts, the one merge):
 * batch rows before the boundary, complete speed rows after it. Printed as `query` prints rows (dump
 * lines by default, so they compare with the oracle); the split by source goes to stderr.
 */
import { batchLayoutOf } from '../batch/batch-layout.ts';
import { viewSpec } from '../events/view-catalog.ts';
import { formatRows, type OutputFormat } from '../processor/query/format-rows.ts';
import { layoutOf, type Settings } from '../processor/runtime/settings.ts';
import { MergedRows } from '../serving/merged-rows.ts';
import { isoOrNull } from '../serving/render-rows.ts';
import type { ObjectStore } from '../storage/object-store.ts';

export async function queryMerged(
  store: ObjectStore,
  settings: Settings,
  request: { view: string; fromMs?: number; toMs?: number },
  format: OutputFormat,
  startedMs: number,
): Promise<void> {
  const merged = new MergedRows(store, {
    layout: layoutOf(settings),
    batchLayout: batchLayoutOf(settings),
  });
  const answer = await merged.rows(request);
  const lines = formatRows(
    format,
    viewSpec(request.view),
    answer.rows.map(({ row }) => row),
  );
  process.stdout.write(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  const batch = answer.rows.filter(({ source }) => source === 'batch').length;
  process.stderr.write(
    `query: ${answer.rows.length} rows of ${request.view} (${batch} batch, ${answer.rows.length - batch} speed) ` +
      `in ${Math.round(performance.now() - startedMs)} ms; boundary ${isoOrNull(answer.boundaryMs) ?? 'none'}, ` +
      `complete through ${isoOrNull(answer.completeThroughMs) ?? 'not yet'}\n`,
  );
}
