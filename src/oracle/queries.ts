/**
 * The 25 view queries, one readable SQL file per view under `queries/`, plus `_prelude.sql` (window
 * macros and the UTF-16 sort key). The files are the executable definition of the views: they run as
 * they are in any DuckDB that has an `events` table (see docs/oracle.md).
 */
import { readFileSync } from 'node:fs';
import { VIEW_NAMES } from '../events/view-catalog.ts';

function readQuery(fileName: string): string {
  return readFileSync(new URL(`./queries/${fileName}`, import.meta.url), 'utf8');
}

/** Macros every query uses; run once per connection. */
export const PRELUDE_SQL = readQuery('_prelude.sql');

/** View name → its SELECT. Loading fails at import, naming the view, if a file is missing. */
export const VIEW_QUERIES: ReadonlyMap<string, string> = new Map(
  VIEW_NAMES.map((name) => {
    try {
      return [name, readQuery(`${name}.sql`)];
    } catch (error) {
      throw new Error(`${name}: no query file src/oracle/queries/${name}.sql`, { cause: error });
    }
  }),
);
