/**
 * The alert commands as a user runs them: `alerts export --prometheus` writes Prometheus rules for the
 * absence rules of the LMS example and says which rules do not map; `serve --alerts` with a bad rule
 * prints one line naming the rule and the field, and exits 1 before listening.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAlertRules } from '../../src/alerts/alert-rules.ts';
import { prometheusRules } from '../../src/alerts/prometheus-rules.ts';
import { tempDir } from './temp-dir.ts';

/** `speed-layer …`: exit code and output (tsx start-up takes seconds on a busy machine). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node',
      ['bin/speed-layer.js', ...args],
      { env: { PATH: process.env.PATH }, timeout: 110_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

describe('alerts export --prometheus', () => {
  it('writes a rule per absence rule over a whole topic, and names the rules that do not map', async () => {
    const { code, stdout, stderr } = await cli(['alerts', 'export', '--prometheus']);

    expect(code).toBe(0);
    const file = parse(stdout) as { groups: { name: string; rules: Record<string, unknown>[] }[] };
    expect(file.groups[0]!.rules).toEqual([
      {
        alert: 'no_auth_events',
        expr: 'sum(rate(speed_layer_events_accepted_total{job="auth",topic="lms.auth"}[5m])) == 0 or absent(speed_layer_events_accepted_total{job="auth",topic="lms.auth"})',
        labels: { severity: 'critical' },
        annotations: expect.objectContaining({ summary: 'No auth events for 5 minutes' }),
      },
      expect.objectContaining({
        alert: 'no_course_events',
        expr: expect.stringContaining(
          'speed_layer_events_accepted_total{job="course",topic="lms.course"}[5m]',
        ),
      }),
    ]);
    expect(stderr).toContain('alerts export: 2 rule(s) exported: no_auth_events, no_course_events');
    for (const rule of ['brute_force_login', 'grading_backlog', 'login_success_rate_low'])
      expect(stderr).toContain(`alerts export: not exported: ${rule}: a threshold on`);
  });

  it('does not export absence of a part of a topic, or of one key', () => {
    const rules = parseAlertRules(
      `rules:
  - { name: no_logins, view: auth_realtime_login_rate, absent_for: 10m, severity: info }
  - { name: quiet_course, view: course_realtime_active_courses_1min, absent_for: 1h, severity: info, where: { course_id: c-1 } }
  - { name: no_video, view: video_realtime_viewers_1min, absent_for: 90s, severity: info }`,
      'r.yaml',
    );

    const result = prometheusRules(rules);

    expect(result.exported).toEqual(['no_video']);
    expect(result.yaml).toContain('[90s]');
    expect(result.notExported.map(({ rule }) => rule)).toEqual(['no_logins', 'quiet_course']);
  });
});

describe('serve --alerts with a bad rule', () => {
  it('prints one line naming the rule and the field, and exits 1', async () => {
    const dir = tempDir('alerts-cli-');
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      'rules:\n  - { name: typo, view: auth_realtime_failed_logins, column: failures, op: ">", threshold: 1, severity: info }\n',
    );

    const { code, stdout, stderr } = await cli([
      'serve',
      '--port',
      '0',
      '--root',
      `file://${dir}`,
      '--alerts',
      rules,
    ]);

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `speed-layer serve: ${rules}: rules[0] ("typo"): field "column": auth_realtime_failed_logins has no column "failures" (its columns: window_start, window_end, user_id, failed_attempts, distinct_ips, suspected_brute_force)\n`,
    );
  });
});
