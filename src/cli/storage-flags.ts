/**
 * The flags of commands that read the store (`query`, `dead-letters`): `--root`, `--config` and the
 * storage settings `run` uses, resolved the same way (flag > env > --config > default); the store is
 * opened on demand, so the AWS SDK loads only for an S3 root.
 */
import type { Command } from 'commander';
import type { ObjectStore } from '../storage/object-store.ts';
import {
  SETTING_DEFS,
  flagOf,
  resolveSettings,
  type SettingName,
  type Settings,
} from '../processor/runtime/settings.ts';

/** The settings that say where the store is and how it is laid out. */
const STORAGE_SETTINGS: readonly SettingName[] = [
  's3Endpoint',
  's3Region',
  's3Bucket',
  's3AccessKeyId',
  's3SecretAccessKey',
  'viewsPrefix',
  'partialsPrefix',
  'checkpointsPrefix',
  'deadLetterPrefix',
];

export interface StorageFlags {
  root?: string;
  config?: string;
}

export function addStorageFlags(command: Command): Command {
  command
    .option('--root <url>', 'file:///path or s3://bucket[/prefix] (default: the S3 of the settings)')
    .option('--config <file>', 'JSON config file whose keys are setting names');
  for (const name of STORAGE_SETTINGS) {
    const { description, env } = SETTING_DEFS[name];
    command.option(`${flagOf(name)} <value>`, `${description} [$${env}]`);
  }
  return command;
}

/** The settings: the storage flags (and the `extra` settings' flags) > env > --config > default. */
export function settingsOfFlags(
  flags: StorageFlags & Record<string, unknown>,
  extra: readonly SettingName[] = [],
): Settings {
  const settingFlags: Partial<Record<SettingName, unknown>> = {};
  for (const name of [...STORAGE_SETTINGS, ...extra])
    if (flags[name] !== undefined) settingFlags[name] = flags[name];
  const sources = { flags: settingFlags, env: process.env };
  return resolveSettings(flags.config === undefined ? sources : { ...sources, configFile: flags.config });
}

/** The settings and the opened store the flags name; throws (one line) when they name none. */
export async function openStorage(
  flags: StorageFlags & Record<string, unknown>,
  settings = settingsOfFlags(flags),
): Promise<{ settings: Settings; store: ObjectStore }> {
  const { openQueryStore } = await import('../processor/query/open-store.ts');
  return { settings, store: await openQueryStore(flags.root, settings) };
}
