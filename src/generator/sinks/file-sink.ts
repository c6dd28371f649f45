/**
 * Writes a record file (docs/contract/record-files-and-dumps.md): one NDJSON line per record, in append order. Synchronous writes
 * of whole batches: twice as fast as a WriteStream here, and a file run has nothing else to do.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { formatRecordLine } from '../../events/record-file.ts';
import type { GeneratedRecord } from '../generated-record.ts';
import type { RecordSink } from './record-sink.ts';

export class FileSink implements RecordSink {
  private readonly fd: number;
  private readonly lines: string[] = [];

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(records: readonly GeneratedRecord[]): Promise<void> {
    const { lines } = this;
    lines.length = 0;
    for (const record of records) lines.push(formatRecordLine(record));
    lines.push('');
    writeSync(this.fd, lines.join('\n'));
    return Promise.resolve();
  }

  close(): Promise<void> {
    closeSync(this.fd);
    return Promise.resolve();
  }
}
