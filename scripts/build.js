/**
 * `npm run build`, also `prepare` (so `npm ci` builds): src/ compiled by tsc into dist/ (tsconfig.build.json:
 * `.ts` imports become `.js`), the files the code reads at run time beside their modules (the oracle's
 * SQL, the Maven POMs of the local stack), and last dist/.build-stamp, dated from the build's start:
 * bin/speed-layer.js trusts dist/ only while no source is newer than that.
 *
 * TypeScript is a devDependency. Without it (`npm ci --omit=dev`) a dist/ built before is kept; with no
 * dist/ the install fails here, saying how to make one: build with the dev tools, then drop them.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const STAMP = 'dist/.build-stamp';
const startedAt = new Date();

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  if (existsSync(STAMP)) {
    console.error(
      'build: TypeScript is not installed (a production install); keeping the dist/ built before',
    );
    process.exit(0);
  }
  console.error(
    'build: TypeScript is not installed, so dist/ cannot be built. For a production install run ' +
      '`npm ci && npm prune --omit=dev` (or `npm ci --omit=dev` where dist/ was built before)',
  );
  process.exit(1);
}

rmSync('dist', { recursive: true, force: true });
const { status } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (status !== 0) process.exit(status ?? 1);
cpSync('src', 'dist', { recursive: true, filter: (source) => !source.endsWith('.ts') });
writeFileSync(STAMP, '');
utimesSync(STAMP, startedAt, startedAt);
