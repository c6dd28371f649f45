/**
 * `speed-layer query <view>`: the complete rows of a view, from the views tree (docs/query-and-start.md),
 * plus the incomplete ones merged from the partial rows with --include-incomplete; --from/--to filter the window (or session) start to
 * [from, to). Storage comes from --root or the same settings `run` uses (flag > env > --config > default).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { failRun } from './cli-errors.ts';
import { VIEW_NAMES, viewSpec } from '../events/view-catalog.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../processor/query/format-rows.ts';
import type { QueryRequest } from '../processor/query/index.ts';
import { layoutOf } from '../processor/runtime/settings.ts';
import { addStorageFlags, openStorage, settingsOfFlags, type StorageFlags } from './storage-flags.ts';

interface QueryFlags extends StorageFlags {
  all?: boolean;
  out?: string;
  from?: number;
  to?: number;
  format: OutputFormat;
  includeIncomplete?: boolean;
  source: 'speed' | 'all';
}

function parseInstant(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`"${text}" is not an ISO-8601 time`);
  return ms;
}

function formatInstant(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

export function queryCommand(): Command {
  const command = new Command('query')
    .description('Print the complete rows of a view from the views tree (and, if asked, the incomplete ones)')
    .argument('[view]', 'view name (see docs/contract/views.md)')
    .option('--all', 'every view and the dead letters, written as a dump to --out')
    .option(
      '--out <dir>',
      'with --all: directory for <view>.jsonl and _rejected.jsonl (the replay/oracle dump)',
    )
    .option('--from <iso>', 'first window/session start to show (inclusive)', parseInstant)
    .option('--to <iso>', 'window/session starts before this time (exclusive)', parseInstant)
    .addOption(new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('json'))
    .option('--include-incomplete', 'also show rows not complete yet, merged from the partial rows')
    .addOption(
      new Option(
        '--source <source>',
        'speed: the views tree; all: batch rows before the boundary, speed after (as `serve`)',
      )
        .choices(['speed', 'all'])
        .default('speed'),
    );
  return addStorageFlags(command)
    .showHelpAfterError()
    .action(async (view: string | undefined, flags: QueryFlags & Record<string, unknown>) => {
      if (flags.all === true) {
        if (view !== undefined) command.error('query: give a view or --all, not both');
        if (flags.out === undefined) command.error('query: --all needs --out <dir>');
      } else if (view === undefined) command.error('query: give a view name, or --all --out <dir>');
      else if (flags.out !== undefined) command.error('query: --out goes with --all');
      else if (!VIEW_NAMES.includes(view))
        command.error(`query: unknown view ${view}; choose from ${VIEW_NAMES.join(', ')}`);
      if (flags.source === 'all' && (flags.all === true || flags.includeIncomplete === true))
        command.error('query: --source all goes with one view and complete rows only');
      if (flags.from !== undefined && flags.to !== undefined && flags.from >= flags.to)
        command.error('query: --from must be before --to');
      try {
        const { settings, store } = await openStorage(flags, settingsOfFlags(flags, ['batchPrefix']));
        const { ViewQuery, formatRows, queryAll } = await import('../processor/query/index.ts');
        const startedMs = performance.now();
        const range: Omit<QueryRequest, 'view'> = { includeIncomplete: flags.includeIncomplete === true };
        if (flags.from !== undefined) range.fromMs = flags.from;
        if (flags.to !== undefined) range.toMs = flags.to;
        if (view === undefined) {
          const all = await queryAll(store, layoutOf(settings), range);
          const { writeViewDump } = await import('../events/view-dump.ts');
          await writeViewDump(flags.out!, all.rowsByView, all.rejected);
          const rows = [...all.rowsByView.values()].reduce((sum, list) => sum + list.length, 0);
          process.stderr.write(
            `query: ${rows} rows of ${all.rowsByView.size} views and ${all.rejected.length} dead letters ` +
              `from ${all.files} files written to ${flags.out} in ${Math.round(performance.now() - startedMs)} ms\n`,
          );
          return;
        }
        if (flags.source === 'all') {
          const { queryMerged } = await import('./query-merged.ts');
          return await queryMerged(store, settings, { ...range, view }, flags.format, startedMs);
        }
        const query = new ViewQuery(store, { layout: layoutOf(settings) });
        const result = await query.query({ ...range, view });
        const lines = formatRows(flags.format, viewSpec(view), result.rows);
        process.stdout.write(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
        const incomplete =
          flags.includeIncomplete === true ? `, ${result.incompleteRows} of them not complete yet` : '';
        process.stderr.write(
          `query: ${result.rows.length} rows of ${view} from ${result.files} files in ${Math.round(performance.now() - startedMs)} ms${incomplete}; ` +
            `job ${result.completeness.job} complete through ${formatInstant(result.completeness.watermarkMs)}\n`,
        );
      } catch (error) {
        failRun(command, error);
      }
    });
}
