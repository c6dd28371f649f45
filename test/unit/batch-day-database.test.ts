import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { openDayDatabase } from '../../src/batch/day-database.ts';

describe("a day's DuckDB database", () => {
  it('is a file in the temporary folder, with the memory limit asked for, and close deletes it', async () => {
    const database = await openDayDatabase({ memoryLimit: '256MB', sessionGapMs: 600_000 });
    try {
      const reader = await database.connection.runAndReadAll(
        `SELECT current_setting('memory_limit') AS memory_limit, current_setting('threads') AS threads, ` +
          `(SELECT path FROM duckdb_databases() WHERE database_name = current_database()) AS path, ` +
          `getvariable('session_gap_ms') AS gap`,
      );
      const [setting] = reader.getRowObjectsJS();

      expect(setting).toMatchObject({ threads: 1n, gap: 600_000n });
      expect(String(setting!.memory_limit)).toMatch(/^2\d\d\.\d+ MiB$/);
      expect(String(setting!.path)).toBe(`${database.dir}/day.duckdb`);
      expect(database.dir.startsWith(tmpdir())).toBe(true);
      expect(existsSync(`${database.dir}/day.duckdb`)).toBe(true);
    } finally {
      await database.close();
    }

    expect(existsSync(database.dir)).toBe(false);
  });
});
