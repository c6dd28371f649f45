/** What a run produced: records per topic and event type, injected faults by kind, and the rate achieved. */
import type { GeneratedRecord } from './generate-records.ts';
import type { InvalidKind } from './invalid-values.ts';
import { FAULT_KINDS, type FaultKind } from './options.ts';

export class GenerationSummary {
  records = 0;
  /** Normal (fault-free) records: topic → event type → count. */
  readonly normalByTopic = new Map<string, Map<string, number>>();
  readonly faults: Record<FaultKind, number> = { late: 0, duplicate: 0, invalid: 0, future: 0 };
  readonly invalidKinds = new Map<InvalidKind, number>();
  firstTimestampMs = NaN;
  lastTimestampMs = NaN;

  add(record: GeneratedRecord): void {
    this.records++;
    if (this.records === 1) this.firstTimestampMs = record.timestamp;
    this.lastTimestampMs = record.timestamp;
    if (record.fault !== null) {
      this.faults[record.fault]++;
      if (record.invalidKind !== null)
        this.invalidKinds.set(record.invalidKind, (this.invalidKinds.get(record.invalidKind) ?? 0) + 1);
      return;
    }
    let types = this.normalByTopic.get(record.topic);
    if (types === undefined) this.normalByTopic.set(record.topic, (types = new Map()));
    types.set(record.eventType, (types.get(record.eventType) ?? 0) + 1);
  }

  /** The human summary printed at the end of a run. */
  format(elapsedMs: number): string {
    const lines: string[] = [];
    const seconds = elapsedMs / 1000;
    const rate = seconds > 0 ? Math.round(this.records / seconds) : 0;
    lines.push(`records: ${this.records} in ${seconds.toFixed(1)} s, achieved ${rate} records/s`);
    if (this.records > 0) {
      const span = (this.lastTimestampMs - this.firstTimestampMs) / 1000;
      lines.push(
        `simulated ingestion time: ${new Date(this.firstTimestampMs).toISOString()} .. ${new Date(this.lastTimestampMs).toISOString()} (${span.toFixed(1)} s)`,
      );
    }
    for (const [topic, types] of [...this.normalByTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const total = [...types.values()].reduce((sum, count) => sum + count, 0);
      const detail = [...types]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([type, count]) => `${type}=${count}`);
      lines.push(`  ${topic}: ${total} (${detail.join(', ')})`);
    }
    const faultText = FAULT_KINDS.map(
      (kind) => `${kind}=${this.faults[kind]} (${this.fractionText(this.faults[kind])})`,
    );
    lines.push(`injected faults: ${faultText.join(', ')}`);
    if (this.invalidKinds.size > 0) {
      const kinds = [...this.invalidKinds]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([kind, count]) => `${kind}=${count}`);
      lines.push(`  invalid kinds: ${kinds.join(', ')}`);
    }
    return lines.join('\n');
  }

  private fractionText(count: number): string {
    return this.records === 0 ? '0' : (count / this.records).toFixed(4);
  }
}
