import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../src/shared/durations.ts';
import { SETTING_DEFS, SETTING_NAMES, type SettingName } from '../../src/processor/runtime/settings.ts';
import {
  EXAMPLE_CONFIG_PATH,
  SETTINGS_REFERENCE_PATH,
  renderSettingsReference,
} from '../../src/processor/runtime/settings-reference.ts';

const run = promisify(execFile);

function readExampleConfig(): Record<string, unknown> {
  return JSON.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
}

/** What `--print-config` shows for a config-file value: durations as milliseconds, the rest as given. */
function printedValue(name: SettingName, fileValue: unknown): unknown {
  const { kind } = SETTING_DEFS[name];
  if (kind === 'duration' && typeof fileValue === 'string') return parseDurationMs(fileValue);
  return fileValue;
}

describe('the configuration reference', () => {
  it('is exactly what the settings table renders (update with --update after changing a setting)', async () => {
    // Path relative to this file; `vitest run test/unit/settings-reference.test.ts --update` rewrites it.
    await expect(renderSettingsReference()).toMatchFileSnapshot(`../../${SETTINGS_REFERENCE_PATH}`);
  });

  it('names every setting with its flag and environment variable', () => {
    const reference = renderSettingsReference();
    for (const name of SETTING_NAMES) {
      expect(reference).toContain(`| \`${name}\``);
      expect(reference).toContain(`\`${SETTING_DEFS[name].env}\``);
    }
  });
});

describe('the example config file', () => {
  it('sets every setting that is not a secret, and no secret', () => {
    const example = readExampleConfig();
    const secrets = SETTING_NAMES.filter((name) => SETTING_DEFS[name].secret === true);
    const others = SETTING_NAMES.filter((name) => SETTING_DEFS[name].secret !== true);

    expect(Object.keys(example).sort()).toEqual([...others].sort());
    for (const name of secrets) expect(example).not.toHaveProperty(name);
  });

  // Starts the CLI (tsx + imports): up to ~20 s on a busy machine; killed before the unit project's
  // 120 s test timeout so its output is reported.
  it('is accepted by speed-layer run --config --print-config, which shows its values', async () => {
    const example = readExampleConfig();

    const { stdout } = await run(
      'node',
      ['bin/speed-layer.js', 'run', '--config', EXAMPLE_CONFIG_PATH, '--print-config'],
      { env: { PATH: process.env.PATH }, timeout: 110_000 },
    );
    const printed = JSON.parse(stdout) as Record<string, unknown>;

    for (const [key, value] of Object.entries(example)) {
      expect(printed[key], key).toEqual(printedValue(key as SettingName, value));
    }
    expect(printed.jobs).toEqual(['auth', 'assessment', 'video', 'course', 'profile_notification']);
  });
});
