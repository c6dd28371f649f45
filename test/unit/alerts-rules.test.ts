/**
 * Alert rules files (src/alerts/alert-rules.ts): the LMS example parses with its defaults filled in,
 * JSON works as well as YAML, and every kind of bad rule is one error naming the file, the rule (index
 * and name) and the field.
 */
import { describe, expect, it } from 'vitest';
import { AlertRulesError, parseAlertRules, readAlertRules } from '../../src/alerts/alert-rules.ts';

const threshold = (fields: string) => `rules:
  - name: ok
    view: auth_realtime_login_rate
    column: success_rate
    op: '<'
    threshold: 0.5
    severity: warning
  - name: bad_one
${fields}`;

const brute = `    view: auth_realtime_failed_logins
    column: failed_attempts
    op: '>='
    threshold: 20
    severity: critical
`;

describe('the rules file', () => {
  it('reads the LMS example: the issue’s four rules and a second absence rule, defaults filled in', async () => {
    const { rules } = await readAlertRules('deploy/alerts/lms-alerts.yaml');

    expect(rules.map((rule) => [rule.name, rule.view, rule.kind])).toEqual([
      ['brute_force_login', 'auth_realtime_failed_logins', 'threshold'],
      ['grading_backlog', 'assessment_realtime_grading_queue', 'threshold'],
      ['login_success_rate_low', 'auth_realtime_login_rate', 'threshold'],
      ['no_auth_events', 'auth_realtime_active_users_1min', 'absence'],
      ['no_course_events', 'course_realtime_active_courses_1min', 'absence'],
    ]);
    expect(rules[0]).toMatchObject({
      column: 'failed_attempts',
      op: '>=',
      threshold: 20,
      for: 1,
      on: 'final',
      severity: 'critical',
    });
    expect(rules[1]).toMatchObject({ column: 'pending', for: 3, severity: 'warning', stepMs: 300_000 });
    expect(rules[2]).toMatchObject({ column: 'success_rate', op: '<', threshold: 0.5, for: 2 });
    expect(rules[3]).toMatchObject({ absentForMs: 300_000, stepMs: 60_000 });
  });

  it('reads JSON too, with global and rule webhooks (the rule’s first)', () => {
    const json = JSON.stringify({
      webhooks: ['http://127.0.0.1:9/all'],
      rules: [
        {
          name: 'q',
          view: 'auth_realtime_login_rate',
          absent_for: '2m',
          severity: 'info',
          webhooks: ['https://hooks.example/q'],
        },
      ],
    });

    const [rule] = parseAlertRules(json, 'rules.json').rules;

    expect(rule!.webhooks).toEqual(['https://hooks.example/q', 'http://127.0.0.1:9/all']);
  });
});

function parseError(text: string): Error {
  try {
    parseAlertRules(text, 'lms.yaml');
  } catch (error) {
    return error as Error;
  }
  throw new Error('the rules were accepted');
}

describe('a bad rule is one error naming the rule and the field', () => {
  it.each([
    [
      'an unknown view',
      `    view: auth_logins\n    absent_for: 5m\n    severity: info\n`,
      'field "view": no view "auth_logins"',
    ],
    [
      'an unknown column',
      brute.replace('failed_attempts', 'failures'),
      'field "column": auth_realtime_failed_logins has no column "failures"',
    ],
    [
      'an unknown operator',
      brute.replace("'>='", "'=>'"),
      'field "op": must be one of ">", ">=", "<", "<=", "==", "!="',
    ],
    ['a missing severity', brute.replace('    severity: critical\n', ''), 'field "severity": is required'],
    [
      'a bad severity',
      brute.replace('critical', 'page'),
      'field "severity": must be one of "info", "warning", "critical"',
    ],
    [
      'a threshold rule without a threshold',
      brute.replace('    threshold: 20\n', ''),
      'field "threshold": is required',
    ],
    ['`for` of zero', `${brute}    for: 0\n`, 'field "for": must be >= 1'],
    ['an unknown field', `${brute}    window: 5m\n`, 'field "window": is not a field'],
    [
      'a where on a non-key column',
      `${brute}    where: { course_id: c-1 }\n`,
      'field "where.course_id": not a key column of auth_realtime_failed_logins (its key columns: user_id)',
    ],
    [
      'an ordering on a boolean column',
      brute.replace('failed_attempts', 'suspected_brute_force').replace('20', 'true'),
      'field "op": >= compares numbers',
    ],
    [
      'a string threshold on a number column',
      brute.replace('20', 'lots'),
      'field "threshold": column failed_attempts is int64: the threshold must be a number',
    ],
    [
      'an absence rule with a column',
      `    view: auth_realtime_login_rate\n    absent_for: 5m\n    column: login_attempts\n    severity: info\n`,
      'field "column": an absence rule',
    ],
    [
      'a duration that is not one',
      `    view: auth_realtime_login_rate\n    absent_for: five minutes\n    severity: info\n`,
      'field "absent_for": "five minutes" is not a duration',
    ],
    [
      'a session view',
      `    view: auth_realtime_session_activity\n    absent_for: 5m\n    severity: info\n`,
      'field "view": auth_realtime_session_activity has sessions',
    ],
    [
      'a webhook that is not http',
      `${brute}    webhooks: ['ftp://example.com/x']\n`,
      'field "webhooks": "ftp:" URLs cannot take a POST',
    ],
  ])('%s', (_case, fields, words) => {
    const error = parseError(threshold(fields));

    expect(error).toBeInstanceOf(AlertRulesError);
    expect(error.message).toContain(`lms.yaml: rules[1] ("bad_one"): ${words}`);
    expect(error.message).not.toContain('\n');
  });

  it('a name used twice', () => {
    expect(parseError(threshold(brute).replace('bad_one', 'ok')).message).toContain(
      'lms.yaml: rules[1] ("ok"): field "name": another rule has this name',
    );
  });

  it('names the file and says so when it is not YAML, or has no rules list', () => {
    expect(() => parseAlertRules('rules: [\n  - oops', 'broken.yaml')).toThrow(
      /^broken\.yaml: not YAML or JSON: /,
    );
    expect(() => parseAlertRules('webhooks: []\n', 'empty.yaml')).toThrow(
      'empty.yaml: field "rules": is required',
    );
  });
});
