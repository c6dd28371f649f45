import { fileURLToPath } from 'node:url';

/**
 * The `node` arguments that run the module `name` beside the caller (`from`: its import.meta.url): the
 * built `.js` when the caller runs from dist/, the `.ts` source through tsx when it runs from src/.
 */
export function siblingScriptArgs(from: string, name: string): string[] {
  const fromSources = from.endsWith('.ts');
  const script = fileURLToPath(new URL(`./${name}${fromSources ? '.ts' : '.js'}`, from));
  return fromSources ? ['--import', 'tsx', script] : [script];
}
