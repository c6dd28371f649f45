/**
 * A transition as JSON, one form for the alert log, GET /v1/alerts, the SSE stream and the webhooks:
 * times as ISO strings, rows as the JSON answer of GET /v1/views/{view} renders them (ISO timestamps,
 * `source`, `is_final`).
 */
import type { ViewRow } from '../events/view-dump.ts';
import { rowJson, type StreamSource } from '../serving/stream-events.ts';
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

/** A row labelled with its `source` (batch | speed | provisional; speed when unlabelled). */
function renderRow(view: string, row: ViewRow): Record<string, unknown> {
  const source = typeof row.source === 'string' ? (row.source as StreamSource) : 'speed';
  return JSON.parse(rowJson(view, row, source)) as Record<string, unknown>;
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
