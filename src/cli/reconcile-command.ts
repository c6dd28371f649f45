/**
 * `speed-layer reconcile --date D`: the speed layer's complete rows of day D against the batch layer's,
 * per view (docs/batch.md "Reconciliation"); writes `reconciliation/date=D.json`, prints one line per view
 * on stderr and exits 0. Reads the store like `batch` (--root or the storage settings).
 */
import { Command, InvalidArgumentError } from 'commander';
import { SETTING_DEFS, flagOf, type SettingName } from '../processor/runtime/settings.ts';
import { batchLayoutOf } from '../batch/batch-layout.ts';
import { parseList } from './batch-command.ts';
import { failRun } from './cli-errors.ts';
import { addStorageFlags, openStorage, settingsOfFlags, type StorageFlags } from './storage-flags.ts';

/** Settings read beyond the storage ones. */
const RECONCILE_SETTINGS: readonly SettingName[] = ['rawPrefix', 'batchPrefix', 'reconciliationPrefix'];

interface ReconcileFlags extends StorageFlags {
  date: string;
  views?: string[];
  limit?: number;
}

function parseLimit(text: string): number {
  const limit = Number(text);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new InvalidArgumentError(`"${text}" is not a count`);
  return limit;
}

export function reconcileCommand(): Command {
  const command = new Command('reconcile')
    .description("Compare the speed layer's rows of a UTC day with the batch layer's (docs/batch.md)")
    .requiredOption('--date <YYYY-MM-DD>', 'the day (computed by `batch` already)')
    .option('--views <v1,v2>', 'only these views (default: all 25)', parseList)
    .option('--limit <n>', 'differences and one-sided keys listed per view (default 10)', parseLimit);
  addStorageFlags(command);
  for (const name of RECONCILE_SETTINGS)
    command.option(
      `${flagOf(name)} <value>`,
      `${SETTING_DEFS[name].description} [$${SETTING_DEFS[name].env}]`,
    );
  return command.showHelpAfterError().action(async (flags: ReconcileFlags & Record<string, unknown>) => {
    try {
      const settings = settingsOfFlags(flags, RECONCILE_SETTINGS);
      const { store } = await openStorage(flags, settings);
      const { reconcileDay } = await import('../batch/reconcile-day.ts');
      await reconcileDay({
        store,
        day: flags.date,
        layout: batchLayoutOf(settings),
        progress: (line) => process.stderr.write(`reconcile: ${line}\n`),
        ...(flags.views && { views: flags.views }),
        ...(flags.limit !== undefined && { limit: flags.limit }),
      });
    } catch (error) {
      failRun(command, error);
    }
  });
}
