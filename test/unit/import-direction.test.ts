import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The lint's import rules (docs/architecture.md), applied to planted source at a path inside a layer. */
async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  // Planted files are not in the TypeScript project: lint them without the type-aware rules.
  const eslint = new ESLint({
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false, project: null } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/no-misused-promises': 'off',
      },
    },
  });
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message.split(' import ')[0]!);
}

describe('import direction', () => {
  it('keeps the engine free of I/O and of every layer above it', async () => {
    const planted = [
      "import { readFileSync } from 'node:fs';",
      "import { JobCommitter } from '../io/commit.ts';",
      "import { createKafka } from '../../stack/kafka-client.ts';",
      "import { windowsFor } from './windows.ts';",
      "import type { LmsEvent } from '../../events/types.ts';",
      'export const used = [readFileSync, JobCommitter, createKafka, windowsFor];',
      'export type Used = LmsEvent;',
    ].join('\n');
    expect(await restrictedImports('src/processor/engine/planted.ts', planted)).toEqual([
      "'node:fs'",
      "'../io/commit.ts'",
      "'../../stack/kafka-client.ts'",
    ]);
  });

  it('keeps the oracle apart from the processor and product code apart from the test tree', async () => {
    const oracle = "import { JobEngine } from '../processor/engine/job-engine.ts';\nexport { JobEngine };";
    const runner =
      "import { createFixture } from '../../../test/integration/run-fixture.ts';\nexport { createFixture };";
    expect(await restrictedImports('src/oracle/planted.ts', oracle)).toHaveLength(1);
    expect(await restrictedImports('src/processor/runner/planted.ts', runner)).toHaveLength(1);
  });

  it('lets lower layers never reach the commands above them', async () => {
    const storage = "import { runCommand } from '../cli/run-command.ts';\nexport { runCommand };";
    const cli = "import { runLoad } from '../load/run-load.ts';\nexport { runLoad };";
    expect(await restrictedImports('src/storage/planted.ts', storage)).toHaveLength(1);
    expect(await restrictedImports('src/cli/planted.ts', cli)).toEqual([]);
  });
});
