/**
 * What GET /v1/alerts lists: the latest transition of each (rule, key), firing ones always, the last
 * 1000 resolved ones; and the firing counts the metrics gauge reads.
 */
import type { AlertDocument } from './alert-document.ts';
import type { AlertRule } from './alert-rules.ts';
import { keyId } from './alert-transition.ts';

const RESOLVED_KEPT = 1000;

export class AlertBoard {
  private readonly latest = new Map<string, AlertDocument>();

  /** Notes `document`; false when it is already the latest of its (rule, key) (nothing changed). */
  note(document: AlertDocument): boolean {
    const key = `${document.rule}.${keyId(document.key)}`;
    if (this.latest.get(key)?.id === document.id) return false;
    this.latest.set(key, document);
    if (document.state === 'resolved') this.pruneResolved();
    return true;
  }

  /** Firing first, then newest episode first. */
  alerts(): AlertDocument[] {
    return [...this.latest.values()].sort(
      (a, b) => Number(b.state === 'firing') - Number(a.state === 'firing') || b.since.localeCompare(a.since),
    );
  }

  firingCounts(rules: readonly AlertRule[]): { rule: string; severity: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const document of this.latest.values())
      if (document.state === 'firing') counts.set(document.rule, (counts.get(document.rule) ?? 0) + 1);
    return rules.map((rule) => ({
      rule: rule.name,
      severity: rule.severity,
      count: counts.get(rule.name) ?? 0,
    }));
  }

  private pruneResolved(): void {
    const resolved = [...this.latest.entries()].filter(([, document]) => document.state === 'resolved');
    if (resolved.length <= RESOLVED_KEPT) return;
    resolved.sort(([, a], [, b]) => a.at.localeCompare(b.at));
    for (const [key] of resolved.slice(0, resolved.length - RESOLVED_KEPT)) this.latest.delete(key);
  }
}
