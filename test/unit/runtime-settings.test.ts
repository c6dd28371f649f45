import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flagOf, maskedSettings, resolveSettings } from '../../src/processor/runtime/settings.ts';
import { tempDir } from './temp-dir.ts';

function configFile(content: unknown): string {
  const path = join(tempDir('settings-'), 'config.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('processor settings', () => {
  it('uses the defaults of the original design when nothing is given', () => {
    const settings = resolveSettings({ env: {} });
    expect(settings).toMatchObject({
      s3Bucket: 'bucket-0',
      viewsPrefix: 'realtime_views/',
      checkpointsPrefix: 'checkpoints/speed/',
      deadLetterPrefix: 'dead_letter/',
      maxOffsetsPerTrigger: 10_000,
      triggerInterval: 1000,
      commitInterval: 1000,
      watermarkDelay: 120_000,
      httpHost: '127.0.0.1',
    });
    expect(settings.kafkaBrokers).toBeUndefined();
  });

  it('takes a flag over the environment over the config file over the default', () => {
    const file = configFile({ s3Bucket: 'from-file', watermarkDelay: '5m', partitions: 3 });
    const env = { S3_BUCKET: 'from-env', WATERMARK_DELAY: '90s' };
    const settings = resolveSettings({ env, configFile: file, flags: { s3Bucket: 'from-flag' } });
    expect(settings.s3Bucket).toBe('from-flag');
    expect(settings.watermarkDelay).toBe(90_000);
    expect(settings.partitions).toBe(3);
  });

  it('parses lists, booleans and durations from environment strings', () => {
    const settings = resolveSettings({
      env: { KAFKA_BROKERS: 'a:9092, b:9092', KAFKA_SSL: 'true', COMMIT_INTERVAL: '250ms' },
    });
    expect(settings.kafkaBrokers).toEqual(['a:9092', 'b:9092']);
    expect(settings.kafkaSsl).toBe(true);
    expect(settings.commitInterval).toBe(250);
  });

  it('names the setting and its source when a value is bad', () => {
    expect(() => resolveSettings({ env: { MAX_OFFSETS_PER_TRIGGER: 'many' } })).toThrow(
      /maxOffsetsPerTrigger from \$MAX_OFFSETS_PER_TRIGGER/,
    );
    expect(() => resolveSettings({ env: {}, configFile: configFile({ bucket: 'x' }) })).toThrow(
      /unknown setting "bucket"/,
    );
  });

  it('refuses zero where a setting counts things that must exist', () => {
    expect(() => resolveSettings({ flags: { partitions: '0' }, env: {} })).toThrow(
      /partitions from flag --partitions: must be a whole number >= 1/,
    );
    expect(() => resolveSettings({ env: { MAX_OFFSETS_PER_TRIGGER: '0' } })).toThrow(/>= 1/);
    expect(resolveSettings({ env: { KEEP_CHECKPOINTS: '0' } }).keepCheckpoints).toBe(0);
  });

  it('masks secrets when settings are printed', () => {
    const settings = resolveSettings({ env: { S3_SECRET_ACCESS_KEY: 'hunter2', KAFKA_SASL_PASSWORD: 'pw' } });
    const printed = JSON.stringify(maskedSettings(settings));
    expect(printed).not.toContain('hunter2');
    expect(printed).not.toContain('"pw"');
    expect(maskedSettings(settings).s3SecretAccessKey).toBe('****');
  });

  it('derives kebab-case flags from setting names', () => {
    expect(flagOf('maxOffsetsPerTrigger')).toBe('--max-offsets-per-trigger');
  });
});
