/**
 * docs/configuration.md, rendered from the settings table (settings.ts) so the reference cannot drift
 * from the code: test/unit/settings-reference.test.ts compares the file with this output and rewrites it
 * when run with `--update`.
 */
import { SETTING_DEFS, SETTING_NAMES, flagOf, type SettingName } from './settings.ts';

/** Where the rendered reference lives, relative to the repository root. */
export const SETTINGS_REFERENCE_PATH = 'docs/configuration.md';

/** The example config file the reference points to, relative to the repository root. */
export const EXAMPLE_CONFIG_PATH = 'deploy/config/speed-layer.example.json';

const REGENERATE_COMMAND = 'npx vitest run test/unit/settings-reference.test.ts --update';

type Kind = (typeof SETTING_DEFS)[SettingName]['kind'];

const KIND_LABELS: Record<Kind, string> = {
  string: 'text',
  int: 'integer >= 0',
  count: 'integer >= 1',
  duration: 'duration',
  bool: 'boolean',
  list: 'list',
};

const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** `120000` → `2m`: the largest unit that divides the duration exactly (`ms` otherwise). */
function durationText(ms: number): string {
  const unit = DURATION_UNITS.find(([, unitMs]) => ms > 0 && ms % unitMs === 0);
  return unit === undefined ? `${ms}ms` : `${ms / unit[1]}${unit[0]}`;
}

function defaultText(name: SettingName): string {
  const { kind, default: value } = SETTING_DEFS[name];
  if (value === undefined) return '(unset)';
  if (value === '') return '(empty)';
  if (kind === 'duration') return `\`${durationText(Number(value))}\``;
  if (Array.isArray(value)) return `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
}

function meaningText(name: SettingName): string {
  const { description, secret } = SETTING_DEFS[name];
  // `|` would end the table cell and `<prefix>` would read as an HTML tag.
  const text = description.replaceAll('|', '\\|').replaceAll('<', '\\<');
  return secret === true ? `${text}; secret: masked, never logged` : text;
}

/** Cells padded as Prettier prints a Markdown table, so the generated file passes `prettier --check`. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((cell, column) =>
    Math.max(3, cell.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

function settingRow(name: SettingName): string[] {
  const { kind, env } = SETTING_DEFS[name];
  const flag = kind === 'bool' ? `${flagOf(name)} [value]` : `${flagOf(name)} <value>`;
  return [
    `\`${name}\``,
    `\`${flag}\``,
    `\`${env}\``,
    KIND_LABELS[kind],
    defaultText(name),
    meaningText(name),
  ];
}

/** The whole of docs/configuration.md. */
export function renderSettingsReference(): string {
  const lines = [
    '# Configuration reference',
    '',
    `> Generated from the settings table in \`src/processor/runtime/settings.ts\` by`,
    `> \`src/processor/runtime/settings-reference.ts\`; do not edit by hand. Regenerate with`,
    `> \`${REGENERATE_COMMAND}\`.`,
    '',
    '`speed-layer run` (and `speed-layer start`, which takes the same settings) reads each setting from,',
    'in order of precedence:',
    '',
    '1. its command-line flag;',
    '2. its environment variable (an empty variable counts as unset);',
    '3. the JSON config file given with `--config FILE`: one object whose keys are the setting names of',
    '   the first column below (a key that is not a setting is refused);',
    '4. its default.',
    '',
    '`speed-layer run --print-config` prints the effective settings as JSON (durations in milliseconds,',
    'secrets as `****`) and exits; `--processes` runs one process per job. `speed-layer query` takes the',
    'storage settings the same way. Secrets are never logged: keep them in the environment (or in a config',
    'file only the service can read).',
    '',
    'Values:',
    '',
    '- duration: `120000ms`, `120s`, `2m` or `1h`; in the config file also a number of milliseconds;',
    '- boolean: `true` or `false` (also `1`/`0`, `yes`/`no`); the flag alone means `true`;',
    '- list: comma-separated; in the config file also a JSON array of strings.',
    '',
    `An example config file with every setting that is not a secret:`,
    `[${EXAMPLE_CONFIG_PATH}](../${EXAMPLE_CONFIG_PATH}).`,
    '',
    ...table(
      ['setting (config key)', 'flag', 'environment', 'type', 'default', 'meaning'],
      SETTING_NAMES.map(settingRow),
    ),
    '',
  ];
  return lines.join('\n');
}
