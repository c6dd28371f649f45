/**
 * A transition as JSON, one form for the alert log, GET /v1/alerts, the SSE stream and the webhooks:
 * times as ISO strings, rows as the JSON answer of GET /v1/views/{view} renders them (ISO timestamps,
 * `source`, `is_final`).
 */
import { viewSpec, type ViewSpec } from '../events/view-catalog.ts';
import { formatRow, type ViewRow } from '../events/view-dump.ts';
import type { Severity } from './alert-rules.ts';
import type { AlertKey, AlertState, Transition } from './alert-transition.ts';

export interface AlertDocument {
  id: string;
  rule: string;
  severity: Severity;
  view: string;
  key: AlertKey;
  state: AlertState;
  since: string;
  at: string;
  rows: Record<string, unknown>[];
  provisional: boolean;
}

const servedSpecs = new Map<string, ViewSpec>();

function servedSpec(view: string): ViewSpec {
  let spec = servedSpecs.get(view);
  if (spec === undefined) {
    const base = viewSpec(view);
    const extra = [
      { name: 'source', type: 'string' as const },
      { name: 'is_final', type: 'boolean' as const },
    ];
    spec = { ...base, columns: [...base.columns, ...extra] };
    servedSpecs.set(view, spec);
  }
  return spec;
}

/** A row labelled with its `source` (batch | speed | provisional; speed when unlabelled). */
function renderRow(view: string, row: ViewRow): Record<string, unknown> {
  const source = typeof row.source === 'string' ? row.source : 'speed';
  const labelled = { ...row, source, is_final: source !== 'provisional' };
  return JSON.parse(formatRow(servedSpec(view), labelled)) as Record<string, unknown>;
}

export function alertDocument(transition: Transition): AlertDocument {
  return {
    id: transition.id,
    rule: transition.rule,
    severity: transition.severity,
    view: transition.view,
    key: transition.key,
    state: transition.state,
    since: new Date(transition.sinceMs).toISOString(),
    at: new Date(transition.atMs).toISOString(),
    rows: transition.rows.map((row) => renderRow(transition.view, row)),
    provisional: transition.provisional,
  };
}

/** The transition a logged document stands for (rows are left out: the state needs none). */
export function transitionOf(document: AlertDocument): Transition {
  return {
    id: document.id,
    rule: document.rule,
    severity: document.severity,
    view: document.view,
    key: document.key,
    state: document.state,
    sinceMs: Date.parse(document.since),
    atMs: Date.parse(document.at),
    rows: [],
    provisional: document.provisional,
  };
}
