import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function printConfig(args: string[], env: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  const stdout = execFileSync(process.execPath, ['bin/speed-layer.js', 'run', '--print-config', ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

// Each call starts the CLI (tsx + imports): up to ~20 s on a busy machine, within the unit project's timeout.
describe('speed-layer run --print-config', () => {
  it('shows the effective settings, flag over environment, with secrets masked', () => {
    const config = printConfig(['auth', '--commit-interval', '5s', '--s3-secret-access-key', 'hunter2'], {
      COMMIT_INTERVAL: '2s',
      KAFKA_SASL_PASSWORD: 'pw-from-env',
    });
    expect(config).toMatchObject({
      jobs: ['auth'],
      commitInterval: 5000,
      s3Bucket: 'bucket-0',
      s3SecretAccessKey: '****',
    });
    expect(JSON.stringify(config)).not.toMatch(/hunter2|pw-from-env/);
  });

  it('takes a boolean flag alone as true, or with a value, e.g. to turn the raw archive off', () => {
    expect(printConfig([])).toMatchObject({ rawArchive: true, kafkaSsl: false });
    expect(printConfig(['--raw-archive', 'false', '--kafka-ssl'])).toMatchObject({
      rawArchive: false,
      kafkaSsl: true,
    });
    expect(printConfig([], { RAW_ARCHIVE: 'false' }).rawArchive).toBe(false);
  });

  it('runs all five jobs by default and rejects an unknown one', () => {
    expect(printConfig([]).jobs).toEqual(['auth', 'assessment', 'video', 'course', 'profile_notification']);
    expect(() => printConfig(['grades'])).toThrow(/unknown job\(s\) grades/);
  });
});
