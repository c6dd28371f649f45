/**
 * `speed-layer alerts export --prometheus`: the rules that map to the processor's own metrics, as
 * Prometheus alerting rules. Only absence over every event of a topic maps (the processor counts
 * accepted events per job and topic, `speed_layer_events_accepted_total`); a threshold on a view's
 * column, or absence of a part of a topic's events, has no metric and is listed as not exported.
 */
import { stringify } from 'yaml';
import { viewSpec } from '../events/view-catalog.ts';
import { JOB_TOPICS, TOPIC_EVENT_TYPES, type Topic } from '../events/topics.ts';
import { viewDefinition } from '../processor/views/index.ts';
import type { AbsenceRule, AlertRules } from './alert-rules.ts';

export interface PrometheusExport {
  /** A Prometheus rule file (YAML), one group. */
  yaml: string;
  exported: string[];
  notExported: { rule: string; reason: string }[];
}

/** The topic whose every event type the view reads, if one is. */
function wholeTopicOf(view: string): Topic | undefined {
  const definition = viewDefinition(view);
  if (definition.kind === 'join') return undefined;
  const types = new Set<string>(definition.inputTypes);
  return (JOB_TOPICS[viewSpec(view).job] as readonly Topic[]).find((topic) =>
    TOPIC_EVENT_TYPES[topic].every((type) => types.has(type)),
  );
}

function promDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function absenceExpression(rule: AbsenceRule, topic: Topic): string {
  const series = `speed_layer_events_accepted_total{job="${viewSpec(rule.view).job}",topic="${topic}"}`;
  return `sum(rate(${series}[${promDuration(rule.absentForMs)}])) == 0 or absent(${series})`;
}

export function prometheusRules(rules: AlertRules): PrometheusExport {
  const exported: Record<string, unknown>[] = [];
  const notExported: PrometheusExport['notExported'] = [];
  for (const rule of rules.rules) {
    if (rule.kind === 'threshold') {
      notExported.push({
        rule: rule.name,
        reason: `a threshold on ${rule.view}.${rule.column}: the processor exports no per-view values (serve evaluates it)`,
      });
      continue;
    }
    const topic = wholeTopicOf(rule.view);
    if (topic === undefined || Object.keys(rule.where).length > 0) {
      notExported.push({
        rule: rule.name,
        reason: `absence in ${rule.view}${Object.keys(rule.where).length > 0 ? ' with a where filter' : ''}: metrics count events per topic, not this view's input`,
      });
      continue;
    }
    exported.push({
      alert: rule.name,
      expr: absenceExpression(rule, topic),
      labels: { severity: rule.severity },
      annotations: {
        summary: rule.description ?? `No ${topic} events accepted for ${rule.absentFor}`,
        description: `Exported from the speed-layer alert rule ${rule.name} (absent_for ${rule.absentFor} in ${rule.view}).`,
      },
    });
  }
  const header = `# Prometheus alerting rules exported from ${rules.source} by speed-layer alerts export (docs/alerts.md).\n`;
  const yaml =
    header + stringify({ groups: [{ name: 'speed-layer-alerts', rules: exported }] }, { lineWidth: 0 });
  return { yaml, exported: exported.map((rule) => String(rule.alert)), notExported };
}
