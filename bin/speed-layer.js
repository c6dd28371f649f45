#!/usr/bin/env node
/**
 * Runs the compiled CLI, dist/cli/main.js (`npm ci` builds it through `prepare`; `npm run build` again).
 * Where the sources can change under it, that is where tsx (a devDependency) is installed, it runs them
 * with tsx instead when dist/ is missing or older than a file of src/, so neither `npx speed-layer` nor a
 * test that spawns it runs stale code. A production install (`--omit=dev`) has no tsx: it runs dist/.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = fileURLToPath(new URL('../src', import.meta.url));
/** Written last by scripts/build.js, dated from the build's start. */
const BUILD_STAMP = fileURLToPath(new URL('../dist/.build-stamp', import.meta.url));

function mtimeMs(path) {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs;
}

/** The newest modification under `dir`: a file edited, added, removed or renamed. */
function newestMs(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function tsxInstalled() {
  try {
    import.meta.resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

const builtMs = mtimeMs(BUILD_STAMP);
const stale = () => builtMs === undefined || (mtimeMs(SOURCES) !== undefined && newestMs(SOURCES) > builtMs);
if (tsxInstalled() && stale()) {
  if (process.stderr.isTTY)
    process.stderr.write(
      'speed-layer: dist/ is missing or older than src/: running src/ with tsx (slower)\n',
    );
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
} else if (builtMs === undefined) {
  process.stderr.write('speed-layer: dist/ is missing: run `npm run build` (after `npm ci`)\n');
  process.exit(1);
} else {
  await import('../dist/cli/main.js');
}
