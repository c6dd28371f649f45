/**
 * What the CLI loads, read from the sources: the modules a file imports statically (`import type` loads
 * nothing), plus, in src/cli/, the programs an action imports with `import()` when it runs. Dynamic
 * imports further down (the stack's testcontainers, the S3 client of a query) are loaded only when a
 * run needs them, so they are not followed.
 */
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = resolve(ROOT, 'src/cli');
const { devDependencies } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

const parsed = new Map<string, ts.SourceFile>();

/** The specifiers `file` loads: static imports and re-exports, and (when `dynamic`) `import('...')`. */
function importsOf(file: string, dynamic: boolean): string[] {
  let source = parsed.get(file);
  if (source === undefined) {
    source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    parsed.set(file, source);
  }
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && node.importClause?.isTypeOnly !== true)
      specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && !node.isTypeOnly)
      specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
    else if (
      dynamic &&
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      ts.isStringLiteral(node.arguments[0]!)
    )
      specifiers.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** Every package `entry` loads, each with the chain of files that reaches it (for the failure message). */
function packagesLoadedBy(entry: string, { followCliActions }: { followCliActions: boolean }) {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const pending: { file: string; chain: string[] }[] = [{ file: resolve(ROOT, entry), chain: [] }];
  while (pending.length > 0) {
    const { file, chain } = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const here = [...chain, relative(ROOT, file)];
    const dynamic = followCliActions && dirname(file) === CLI;
    for (const specifier of importsOf(file, dynamic)) {
      if (specifier.startsWith('.')) pending.push({ file: resolve(dirname(file), specifier), chain: here });
      else if (!isBuiltin(specifier)) {
        const name = specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
        if (!packages.has(name)) packages.set(name, here.join(' > '));
      }
    }
  }
  return packages;
}

/** `name → chain` for the loaded packages in `unwanted`: empty when none is loaded. */
function loadedAmong(loaded: Map<string, string>, unwanted: readonly string[]): Record<string, string> {
  return Object.fromEntries([...loaded].filter(([name]) => unwanted.includes(name)));
}

/** A production install (`npm ci --omit=dev`) has none of these; DuckDB it has, for the oracle only. */
const NOT_FOR_PRODUCTION_COMMANDS = [...Object.keys(devDependencies), '@duckdb/node-api'];

describe('what the CLI loads', () => {
  it('is commander alone for --help, --version and before any action runs', () => {
    const loaded = packagesLoadedBy('src/cli/main.ts', { followCliActions: false });

    expect(Object.fromEntries(loaded)).toEqual({ commander: expect.any(String) });
  });

  it.each([
    ['run', 'kafkajs'],
    ['query', 'hyparquet'],
    ['ingest', 'fastify'],
  ])('is neither a devDependency nor DuckDB for `%s` (its program, with %s, included)', (command, uses) => {
    const loaded = packagesLoadedBy(`src/cli/${command}-command.ts`, { followCliActions: true });

    expect(loadedAmong(loaded, NOT_FOR_PRODUCTION_COMMANDS)).toEqual({});
    expect(loaded.has(uses)).toBe(true);
  });

  it('includes faker for `generate` and DuckDB for `oracle`: the walk finds what a command needs', () => {
    const needs = (command: string) =>
      Object.keys(
        loadedAmong(
          packagesLoadedBy(`src/cli/${command}-command.ts`, { followCliActions: true }),
          NOT_FOR_PRODUCTION_COMMANDS,
        ),
      );

    expect(needs('generate')).toContain('@faker-js/faker');
    expect(needs('oracle')).toEqual(['@duckdb/node-api']);
  });
});
