/**
 * Alert rules (docs/alerts.md "Rules"), read from a YAML or JSON file: the shape checked with the
 * schema (rules-schema.ts), then each rule against the view catalog. A bad file is one AlertRulesError
 * whose message names the file, the rule (index and name) and the field.
 */
import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { VIEW_NAMES, viewSpec, type ViewSpec } from '../events/view-catalog.ts';
import { parseDurationMs } from '../shared/durations.ts';
import { windowOf } from '../serving/view-windows.ts';
import { RULES_FILE_SCHEMA, type EVALUATED_ON, type OPERATORS, type SEVERITIES } from './rules-schema.ts';

export type Operator = (typeof OPERATORS)[number];
export type Severity = (typeof SEVERITIES)[number];
export type EvaluatedOn = (typeof EVALUATED_ON)[number];

interface RuleBase {
  name: string;
  description?: string;
  view: string;
  severity: Severity;
  /** Key column → value as text: only rows with these keys count. */
  where: Readonly<Record<string, string>>;
  /** The rule's own webhooks, then the file's global ones. */
  webhooks: readonly string[];
  /** Distance between consecutive window starts of the view (the slide of a sliding view). */
  stepMs: number;
}

export interface ThresholdRule extends RuleBase {
  kind: 'threshold';
  column: string;
  op: Operator;
  threshold: number | boolean | string;
  /** Consecutive windows of a key the condition must hold in. */
  for: number;
  on: EvaluatedOn;
}

export interface AbsenceRule extends RuleBase {
  kind: 'absence';
  /** As written (`5m`), and in ms. */
  absentFor: string;
  absentForMs: number;
}

export type AlertRule = ThresholdRule | AbsenceRule;

export interface AlertRules {
  /** The file (or a label) the rules came from, for messages. */
  source: string;
  rules: readonly AlertRule[];
}

export class AlertRulesError extends Error {}

type RawRule = Record<string, unknown> & { name: string; view: string; severity: Severity };
type RawFile = { webhooks?: string[]; rules: RawRule[] };

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, logger: false });
const validateFile = ajv.compile<RawFile>(RULES_FILE_SCHEMA);
const THRESHOLD_FIELDS = ['column', 'op', 'threshold', 'for', 'on'] as const;
const ORDERING: readonly Operator[] = ['>', '>=', '<', '<='];

export async function readAlertRules(path: string): Promise<AlertRules> {
  return parseAlertRules(await readFile(path, 'utf8'), path);
}

export function parseAlertRules(text: string, source: string): AlertRules {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const first = ((error as Error).message ?? String(error)).split('\n')[0];
    throw new AlertRulesError(`${source}: not YAML or JSON: ${first}`);
  }
  if (!validateFile(document))
    throw new AlertRulesError(schemaMessage(source, document, validateFile.errors![0]!));
  const global = document.webhooks ?? [];
  checkWebhooks(global, (problem) => new AlertRulesError(`${source}: field "webhooks": ${problem}`));
  const seen = new Set<string>();
  const rules = document.rules.map((raw, index) => {
    const fail = (field: string, problem: string) =>
      new AlertRulesError(`${source}: rules[${index}] ("${raw.name}"): field "${field}": ${problem}`);
    if (seen.has(raw.name)) throw fail('name', 'another rule has this name; names must be unique');
    seen.add(raw.name);
    return checkedRule(raw, global, fail);
  });
  return { source, rules };
}

/** The first schema error, as `file: rules[i] ("name"): field "f": problem`. */
function schemaMessage(source: string, document: unknown, error: ErrorObject): string {
  const path = error.instancePath.split('/').slice(1);
  const params = error.params as Record<string, unknown>;
  const named = params.missingProperty ?? params.additionalProperty;
  const field = [...path, ...(named === undefined ? [] : [String(named)])];
  const problem =
    error.keyword === 'required'
      ? 'is required'
      : error.keyword === 'additionalProperties'
        ? 'is not a field of a rule file (see docs/alerts.md)'
        : error.keyword === 'enum'
          ? `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
          : (error.message ?? 'is not valid');
  if (field[0] === 'rules' && field.length > 2) {
    const index = Number(field[1]);
    const name = ((document as RawFile).rules[index] as { name?: unknown }).name;
    const label = typeof name === 'string' ? ` ("${name}")` : '';
    return `${source}: rules[${index}]${label}: field "${field.slice(2).join('.')}": ${problem}`;
  }
  return `${source}: field "${field.join('.') || '(top level)'}": ${problem}`;
}

function checkWebhooks(urls: readonly string[], fail: (problem: string) => Error): void {
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw fail(`"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw fail(`"${parsed.protocol}" URLs cannot take a POST; use http or https`);
  }
}

function checkedRule(
  raw: RawRule,
  global: readonly string[],
  fail: (field: string, problem: string) => Error,
): AlertRule {
  if (!VIEW_NAMES.includes(raw.view)) throw fail('view', `no view "${raw.view}" (GET /v1/views lists them)`);
  const spec = viewSpec(raw.view);
  const window = windowOf(raw.view);
  if (window.size_ms === null)
    throw fail('view', `${raw.view} has sessions, not windows: alerts read windowed views`);
  const ownWebhooks = (raw.webhooks as string[] | undefined) ?? [];
  checkWebhooks(ownWebhooks, (problem) => fail('webhooks', problem));
  const base = {
    name: raw.name,
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    view: raw.view,
    severity: raw.severity,
    where: checkedWhere(spec, raw.where as Record<string, unknown> | undefined, fail),
    webhooks: [...ownWebhooks, ...global],
    stepMs: window.slide_ms ?? window.size_ms,
  };
  if (raw.absent_for !== undefined) {
    const extra = THRESHOLD_FIELDS.find((field) => raw[field] !== undefined);
    if (extra !== undefined)
      throw fail(extra, 'an absence rule (absent_for) has no column, op, threshold, for or on');
    let absentForMs: number;
    try {
      absentForMs = parseDurationMs(raw.absent_for as string);
    } catch (error) {
      throw fail('absent_for', (error as Error).message);
    }
    if (absentForMs < base.stepMs)
      throw fail('absent_for', `must be at least one window step of ${raw.view} (${base.stepMs} ms)`);
    return { kind: 'absence', ...base, absentFor: raw.absent_for as string, absentForMs };
  }
  for (const field of ['column', 'op', 'threshold'] as const)
    if (raw[field] === undefined) throw fail(field, 'is required (or absent_for, for an absence rule)');
  const column = spec.columns.find(({ name }) => name === raw.column);
  if (column === undefined)
    throw fail(
      'column',
      `${raw.view} has no column "${String(raw.column)}" (its columns: ${spec.columns.map(({ name }) => name).join(', ')})`,
    );
  const op = raw.op as Operator;
  const threshold = raw.threshold as ThresholdRule['threshold'];
  const numeric = column.type === 'int64' || column.type === 'double';
  const expected = numeric || column.type === 'timestamp' ? 'number' : column.type;
  if (typeof threshold !== expected)
    throw fail('threshold', `column ${column.name} is ${column.type}: the threshold must be a ${expected}`);
  if (ORDERING.includes(op) && (!numeric || typeof threshold !== 'number'))
    throw fail(
      'op',
      `${op} compares numbers: column ${column.name} is ${column.type}, threshold ${JSON.stringify(threshold)}`,
    );
  return {
    kind: 'threshold',
    ...base,
    column: column.name,
    op,
    threshold,
    for: (raw.for as number | undefined) ?? 1,
    on: (raw.on as EvaluatedOn | undefined) ?? 'final',
  };
}

function checkedWhere(
  spec: ViewSpec,
  where: Record<string, unknown> | undefined,
  fail: (field: string, problem: string) => Error,
): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [column, value] of Object.entries(where ?? {})) {
    if (!spec.keys.includes(column))
      throw fail(
        `where.${column}`,
        spec.keys.length === 0
          ? `${spec.name} has no key columns to filter on`
          : `not a key column of ${spec.name} (its key columns: ${spec.keys.join(', ')})`,
      );
    keys[column] = String(value);
  }
  return keys;
}

/** A rule as the API shows it: the fields of the file, defaults filled in. */
export function describeRule(rule: AlertRule): Record<string, unknown> {
  const common = {
    name: rule.name,
    ...(rule.description === undefined ? {} : { description: rule.description }),
    view: rule.view,
    severity: rule.severity,
    where: rule.where,
  };
  if (rule.kind === 'absence') return { ...common, absent_for: rule.absentFor };
  return {
    ...common,
    column: rule.column,
    op: rule.op,
    threshold: rule.threshold,
    for: rule.for,
    on: rule.on,
  };
}
