/** `GET /v1/views`: the catalog as the API describes it (src/events/view-catalog.ts, docs/contract/views.md). */
import { VIEW_SPECS, type ColumnType } from '../events/view-catalog.ts';
import { VIEW_INPUTS, columnDescription } from '../events/view-descriptions.ts';
import { windowOf, type WindowDescription } from './view-windows.ts';

export interface ViewDescription {
  name: string;
  job: string;
  input: string;
  window: WindowDescription;
  /** The columns `<key>=value` may filter on. */
  key_columns: readonly string[];
  columns: { name: string; type: ColumnType; description: string }[];
}

let described: ViewDescription[] | undefined;

export function viewCatalog(): ViewDescription[] {
  described ??= VIEW_SPECS.map((spec) => ({
    name: spec.name,
    job: spec.job,
    input: VIEW_INPUTS[spec.name]!,
    window: windowOf(spec.name),
    key_columns: spec.keys,
    columns: spec.columns.map(({ name, type }) => ({
      name,
      type,
      description: columnDescription(spec.name, name),
    })),
  }));
  return described;
}
